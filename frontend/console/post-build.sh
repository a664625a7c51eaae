#!/bin/sh
# Trunk post-build hook of the console, run in the staging directory (as frontend/post-build.sh
# for the PWA, without the service worker: the console is online only).
# 1. The server's CSP forbids inline scripts: trunk's inline loader moves to boot.js.
# 2. The JS glue is minified when terser is on the PATH; its integrity hash follows.
set -eu
cd "$TRUNK_STAGING_DIR"
perl -0 -i -ne '
  if (m{<script type="?module"?>(.*?)</script>}s) {
    open(my $boot, ">", "boot.js") or die "boot.js: $!";
    print $boot $1;
    close $boot;
    s{<script type="?module"?>.*?</script>}{<script type="module" src="/console/boot.js"></script>}s;
  }
  print;
' index.html
test -s boot.js
if command -v terser >/dev/null 2>&1; then
  terser sotay-console.js --module --compress --mangle --output sotay-console.min.js
  mv sotay-console.min.js sotay-console.js
  sri="sha384-$(openssl dgst -sha384 -binary sotay-console.js | openssl base64 -A)"
  SRI="$sri" perl -0 -i -pe 's{(href="?/console/sotay-console\.js"? integrity=)"?sha384-[A-Za-z0-9+/=]+"?}{$1"$ENV{SRI}"}' index.html
  grep -q "$sri" index.html
fi
