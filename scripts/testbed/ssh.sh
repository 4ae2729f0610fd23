# SPDX-License-Identifier: MIT
# Sourced (bash) by scripts/testbed/run.sh for --ssh PORT: a testbed guest that is a host
# reachable over SSH (for fleets: docs/testbed.md, "A host over SSH").  Debian's dropbear
# (dropbear-bin, with libtomcrypt1 and libtommath1) and Debian's Python 3.11 (python3.11-minimal,
# libpython3.11-minimal, libpython3.11-stdlib: Ansible's modules need it) are fetched with
# apt-get download and unpacked in the cache like the kernel; the other libraries they link
# are the host's, as for the rest of the initramfs.  root logs in with a key made for this run.
# Needs from run.sh: candidate, fetch_deb, unpack, skip, die, copy_with_libs, $CACHE, $st.

ssh_pkgs=(dropbear-bin libtomcrypt1 libtommath1 python3.11-minimal libpython3.11-minimal libpython3.11-stdlib)
declare -A ssh_root=()

# Fetch and unpack the packages (the cached ones when no mirror answers), or skip (77).
ssh_fetch() {
	local p v d
	for p in "${ssh_pkgs[@]}"; do
		v=$(candidate "$p" || true) d=
		[ -n "$v" ] && d=$(fetch_deb "$p" "$v" || true)
		[ -n "$d" ] || d=$(ls -t "$CACHE/debs/${p}_"*.deb 2>/dev/null | head -1 || true)
		[ -n "$d" ] || skip "cannot fetch Debian's $p for --ssh (apt-get download failed)"
		ssh_root[$p]=$(unpack "$d")
	done
}

# pack_from_debs BIN DST: BIN at DST in the initramfs with its libraries, from the unpacked
# packages where they are there (at their installed paths), else the host's.
pack_from_debs() {
	local bin=$1 dst=$2 lp= r l rel
	for r in "${ssh_root[@]}"; do
		lp=$lp${lp:+:}$r/usr/lib/x86_64-linux-gnu:$r/lib/x86_64-linux-gnu
	done
	mkdir -p "$(dirname "$st$dst")"
	cp -L "$bin" "$st$dst"
	LD_LIBRARY_PATH=$lp ldd "$bin" | grep -q 'not found' &&
		die "$bin needs libraries neither its packages nor this host have: $(LD_LIBRARY_PATH=$lp ldd "$bin" | grep 'not found' | tr -s ' \t' ' ')"
	for l in $(LD_LIBRARY_PATH=$lp ldd "$bin" | grep -o '/[^ ]*'); do
		rel=$l
		for r in "${ssh_root[@]}"; do rel=${rel#"$r"}; done
		[ -e "$st$rel" ] && continue
		mkdir -p "$(dirname "$st$rel")"
		cp -L "$l" "$st$rel"
	done
}

# ssh_pack PUBKEY: dropbear, root's account and authorized key, Python, exitlab on PATH.
ssh_pack() {
	local pub=$1 py=/usr/lib/python3.11 p so
	pack_from_debs "${ssh_root[dropbear-bin]}/usr/sbin/dropbear" /usr/sbin/dropbear
	mkdir -p "$st/etc/dropbear" "$st/root/.ssh"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$st/etc/passwd"
	echo 'root:x:0:' >"$st/etc/group"
	echo /bin/sh >"$st/etc/shells"
	cp "$pub" "$st/root/.ssh/authorized_keys"
	chmod 700 "$st/root" "$st/root/.ssh"
	chmod 600 "$st/root/.ssh/authorized_keys"
	# Python: the interpreter and the standard library, less what a host never runs (tests, Tk,
	# IDLE, the 2to3 and pip bootstraps); each extension module with the libraries it links.
	pack_from_debs "${ssh_root[python3.11-minimal]}/usr/bin/python3.11" /usr/bin/python3.11
	ln -sf python3.11 "$st/usr/bin/python3"
	mkdir -p "$st$py"
	for p in libpython3.11-minimal libpython3.11-stdlib; do
		(cd "${ssh_root[$p]}$py" && tar -cf - --exclude=./test --exclude=./idlelib --exclude=./tkinter \
			--exclude=./turtledemo --exclude=./ensurepip --exclude=./lib2to3 --exclude='__pycache__' .) |
			tar -xf - -C "$st$py"
	done
	for so in "$st$py"/lib-dynload/*.so; do
		for l in $(ldd "$so" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -e "$st$l" ] || { mkdir -p "$(dirname "$st$l")" && cp -L "$l" "$st$l"; }
		done
	done
	# exitlab on the PATH dropbear gives a session (/usr/bin:/bin): the tree stays at /exitlab.
	ln -sf /exitlab/build/exitlab "$st/usr/bin/exitlab"
	ln -sf /exitlab/build/exitlab-san "$st/usr/bin/exitlab-san"
	# the campaign files, for a fleet that runs them by their path in the tree
	mkdir -p "$st/exitlab/scripts" && cp -r "$TOP/scripts/campaigns" "$st/exitlab/scripts/"
}
