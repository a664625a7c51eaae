#!/bin/sh
# Trunk post-build hook, run in the staging directory.
# 1. The server's CSP forbids inline scripts: trunk's inline loader moves to boot.js.
# 2. The JS glue is minified (below).
# 3. The service worker gets a build id made from the built files (a new cache per build).
set -eu
cd "$TRUNK_STAGING_DIR"
# The loader may span lines or share one line with everything (minified HTML).
perl -0 -i -ne '
  if (m{<script type="?module"?>(.*?)</script>}s) {
    open(my $boot, ">", "boot.js") or die "boot.js: $!";
    print $boot $1;
    close $boot;
    s{<script type="?module"?>.*?</script>}{<script type="module" src="/boot.js"></script>}s;
  }
  print;
' index.html
test -s boot.js
# wasm-bindgen's JS glue, minified when terser is on the PATH (`cargo xtask` installs
#    it); its subresource-integrity hash in index.html is recomputed to match.
if command -v terser >/dev/null 2>&1; then
  terser sotay-frontend.js --module --compress --mangle --output sotay-frontend.min.js
  mv sotay-frontend.min.js sotay-frontend.js
  sri="sha384-$(openssl dgst -sha384 -binary sotay-frontend.js | openssl base64 -A)"
  SRI="$sri" perl -0 -i -pe 's{(href="?/sotay-frontend\.js"? integrity=)"?sha384-[A-Za-z0-9+/=]+"?}{$1"$ENV{SRI}"}' index.html
  grep -q "$sri" index.html
fi
id=$(cat index.html boot.js ./*.js ./*.wasm ./*.css | sha256sum | cut -c1-12)
sed -i "s/__BUILD_ID__/$id/" sw.js
