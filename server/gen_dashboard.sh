#!/bin/sh
# gen_dashboard.sh — regenerates srv_dashboard.c from dashboard.html (run it
# from anywhere after editing the page; the e2e test checks they agree).
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
out="$dir/srv_dashboard.c"
{
  echo '/*'
  echo ' * srv_dashboard.c — GENERATED from server/dashboard.html by'
  echo ' * server/gen_dashboard.sh: edit the HTML and rerun the script.'
  echo ' */'
  echo '#include <stddef.h>'
  echo
  echo 'const char srv_dashboard_html[] ='
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$/\\n"/' "$dir/dashboard.html"
  echo '    ;'
  echo
  echo 'const size_t srv_dashboard_html_len = sizeof srv_dashboard_html - 1;'
} > "$out.tmp"
mv "$out.tmp" "$out"
