#!/bin/sh
# SPDX-License-Identifier: MIT
# unpack.sh TARBALL TREE: unpack the exitlab source archive into TREE once, under
# a lock, so that inventory names that are one machine share the tree and its build.
set -eu
tarball=$1
tree=$2
exec 9>"$tree.lock"
flock 9
if [ -e "$tree/.exitlab-unpacked" ]; then
	echo present
	exit 0
fi
rm -rf "$tree.tmp" "$tree"
mkdir -p "$tree.tmp"
tar -xzf "$tarball" -C "$tree.tmp"
touch "$tree.tmp/.exitlab-unpacked"
mv "$tree.tmp" "$tree"
echo unpacked
