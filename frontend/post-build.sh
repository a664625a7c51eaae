#!/bin/sh
# Trunk post-build hook, run in the staging directory.
# 1. The server's CSP forbids inline scripts: trunk's inline loader moves to boot.js.
# 2. The service worker gets a build id made from the built files (a new cache per build).
set -eu
cd "$TRUNK_STAGING_DIR"
awk '
  /<script type="module">/ { inside = 1; print "<script type=\"module\" src=\"/boot.js\"></script>"; next }
  inside && /<\/script>/ { inside = 0; next }
  inside { print > "boot.js"; next }
  { print }
' index.html > index.html.tmp
mv index.html.tmp index.html
test -s boot.js
id=$(cat index.html boot.js ./*.js ./*.wasm ./*.css | sha256sum | cut -c1-12)
sed -i "s/__BUILD_ID__/$id/" sw.js
