# One markdown row per guest test of a run's JSON: ops, KVM exits and exits to the VMM per op,
# the KVM exit stats per op (the phase-end doorbell's io_exit left out), and the exits no
# *_exits stat names (handled in KVM: ioeventfd writes, APIC accesses, MSRs). With several vCPUs
# (`vcpus` in the test) all of them, summed: Linux runs the tool and its interrupts on any vCPU.
.tests[] | select(.where == "guest" and .name != "empty") as $t
| ($t.iterations) as $n
| def r: . * 100 | round / 100;
  ($t.vcpus.sum.kvm_stats // $t.kvm_stats) as $ks
| ([$ks | to_entries[] | select(.key | test("_exits$"))
    | if .key == "io_exits" then .value -= 1 else . end]) as $named
| [ (input_filename | split("/")[-1] | sub("\\.json$"; "")), $t.name, $n,
    (if $t.vcpus then ($ks.exits - 1) / $n else $t.exits_per_iteration end | r),
    (if $t.vcpus then ($t.vcpus.sum.userspace_exits - 1) / $n else $t.userspace_exits_per_iteration end | r),
    ($named | map(select(.value > 0)) | sort_by(-.value)
     | map("\(.key | sub("_exits$"; "")) \(.value / $n | r)") | join(", ")),
    ((($ks.exits - 1) - ($named | map(.value) | add)) / $n | r)
  ] | "| " + (map(tostring) | join(" | ")) + " |"
