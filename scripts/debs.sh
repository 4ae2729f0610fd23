# SPDX-License-Identifier: MIT
# Sourced (bash) by scripts/testbed/run.sh and scripts/linux/initramfs.sh: Debian packages
# unpacked under $CACHE/root/, and the closure of a kernel's modules.  Nothing is installed on
# this machine, and no root is needed.

# The candidate version of a package, empty if apt knows none.
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2 }'; }

# Unpack a .deb once into $CACHE/root/<its name>; print that directory.
unpack() {
	local d=$CACHE/root/$(basename "$1" .deb)
	if [ ! -e "$d/.unpacked" ]; then
		rm -rf "$d"
		mkdir -p "$d"
		dpkg-deb -x "$1" "$d"
		touch "$d/.unpacked"
	fi
	echo "$d"
}

# A module file's contents, uncompressed: Debian's 6.1 ships plain .ko, later kernels .ko.xz.
mod_cat() {
	case "$1" in
	*.ko.xz) xz -dc "$1" ;;
	*.ko.zst) zstd -qdc "$1" ;;
	*.ko.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# mod_closure DIR ONMISSING MODULE...: the modules under DIR (*.ko, or compressed *.ko.xz,
# .ko.zst, .ko.gz; dashes as underscores) that MODULE... need, by their depends= fields,
# dependencies first, in the array mod_order; each one's file in kofile[NAME] (copy it out with
# mod_copy, which uncompresses).  ONMISSING NAME is called for a module that is not under DIR
# (built in, or absent): it may die, or return to go on without it.
mod_closure() {
	local dir=$1 onmissing=$2 b f m
	shift 2
	declare -gA kofile=() mod_seen=()
	mod_order=()
	while read -r b f; do
		b=${b%.xz} b=${b%.zst} b=${b%.gz} b=${b%.ko}
		kofile[${b//-/_}]=$f
	done < <(find "$dir" \( -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz' \) -printf '%f %p\n')
	for m in "$@"; do mod_want "$m" "$onmissing"; done
}
# mod_copy NAME DEST: module NAME of the last mod_closure, uncompressed, as the file DEST (insmod
# of busybox, and the kernel without module decompression, take plain ELF).
mod_copy() { mod_cat "${kofile[$1]}" >"$2"; }
mod_want() {
	local m=${1//-/_} d
	[ -n "${mod_seen[$m]:-}" ] && return 0
	mod_seen[$m]=1
	[ -n "${kofile[$m]:-}" ] || { "$2" "$m"; return 0; }
	for d in $(mod_cat "${kofile[$m]}" | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '); do
		mod_want "$d" "$2"
	done
	mod_order+=("$m")
}
