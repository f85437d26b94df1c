#!/bin/sh
# Regenerate the demo's TLS files: a demo-only CA (ca.pem) and one certificate with its key
# (site.pem) whose subjectAltName lists every host the demo's sources name (content.json).
#
# DEMO ONLY. The key is public (it is in this repository) and the CA's key is thrown away
# once the certificate is signed. Nothing trusts ca.pem except the demo capture's own SSL
# context (briefdesk.core.demo.localcopies, via fetch.Policy.verify) while `load_demo` serves
# the demo's local copies on 127.0.0.1; it is never added to a system or browser trust store.
#
# Run from anywhere: sh briefdesk/core/demo/tls/make-certs.sh   (needs openssl and python3)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

hosts=$(python3 -c '
import json, sys
from urllib.parse import urlsplit
data = json.load(open(sys.argv[1], encoding="utf-8"))
hosts = {urlsplit(s["url"]).hostname for s in data["sources"] if s.get("url")}
print(",".join("DNS:" + h for h in sorted(hosts)))
' "$here/../content.json")

openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 \
  -days 7300 -subj "/CN=briefdesk demo CA (not trusted anywhere but the demo capture)" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" \
  -keyout "$work/ca.key" -out "$here/ca.pem" 2>/dev/null

openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 \
  -subj "/CN=briefdesk demo sites" -keyout "$work/site.key" -out "$work/site.csr" 2>/dev/null

cat > "$work/ext.cnf" <<CNF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=$hosts
CNF

openssl x509 -req -in "$work/site.csr" -CA "$here/ca.pem" -CAkey "$work/ca.key" \
  -set_serial "0x$(openssl rand -hex 16)" -days 7300 -sha256 -extfile "$work/ext.cnf" -out "$work/site.crt" 2>/dev/null

cat "$work/site.crt" "$work/site.key" > "$here/site.pem"
echo "wrote $here/ca.pem and $here/site.pem"
