# One markdown row per guest test of a run's JSON: the entry (the file's name, less a trailing
# "-VMM"), the VMM that ran it (config.vmm.name: exitlab, qemu), ops, KVM exits and exits to the
# VMM per op, the KVM exit stats per op (the phase-end doorbell's io_exit left out), and the exits
# no *_exits stat names (handled in KVM: ioeventfd writes, APIC accesses, MSRs). A Linux guest's
# figures are already every vCPU's summed (Linux runs the tool and its interrupts on any vCPU).
(.config.vmm.name // "exitlab") as $vmm
| .tests[] | select(.where == "guest" and .name != "empty") as $t
| ($t.iterations) as $n
| def r: if . == null then "-" else . * 100 | round / 100 end;
  ([($t.kvm_stats // {}) | to_entries[] | select(.key | test("_exits$"))
    | if .key == "io_exits" then .value -= 1 else . end]) as $named
| [ (input_filename | split("/")[-1] | sub("\\.json$"; "") | sub("-" + $vmm + "$"; "")), $vmm, $t.name, $n,
    ($t.exits_per_iteration | r), ($t.userspace_exits_per_iteration | r),
    ($named | map(select(.value > 0)) | sort_by(-.value)
     | map("\(.key | sub("_exits$"; "")) \(.value / $n | r)") | join(", ")),
    (if $t.kvm_stats.exits then (($t.kvm_stats.exits - 1) - ($named | map(.value) | add // 0)) / $n | r else "-" end)
  ] | "| " + (map(tostring) | join(" | ")) + " |"
