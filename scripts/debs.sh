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

# mod_closure DIR ONMISSING MODULE...: the modules under DIR (*.ko, dashes as underscores) that
# MODULE... need, by their depends= fields, dependencies first, in the array mod_order; each
# one's file in kofile[NAME].  ONMISSING NAME is called for a module that is not under DIR
# (built in, or absent): it may die, or return to go on without it.
mod_closure() {
	local dir=$1 onmissing=$2 b f m
	shift 2
	declare -gA kofile=() mod_seen=()
	mod_order=()
	while read -r b f; do
		b=${b%.ko}
		kofile[${b//-/_}]=$f
	done < <(find "$dir" -name '*.ko' -printf '%f %p\n')
	for m in "$@"; do mod_want "$m" "$onmissing"; done
}
mod_want() {
	local m=${1//-/_} d
	[ -n "${mod_seen[$m]:-}" ] && return 0
	mod_seen[$m]=1
	[ -n "${kofile[$m]:-}" ] || { "$2" "$m"; return 0; }
	for d in $(tr '\0' '\n' <"${kofile[$m]}" | sed -n 's/^depends=//p' | tr ',' ' '); do
		mod_want "$d" "$2"
	done
	mod_order+=("$m")
}
