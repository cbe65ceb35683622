#!/bin/sh
# Fail when the Vietnamese catalogue has untranslated or fuzzy entries: English must not leak
# into the UI. Needs gettext's msgfmt.
set -eu
po=${1:-locale/vi/LC_MESSAGES/django.po}
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$po" 2>&1)
case "$stats" in
  *fuzzy*|*untranslated*)
    echo "$po: $stats" >&2
    msgattrib --untranslated "$po" | grep -A1 '^msgid' >&2 || true
    msgattrib --only-fuzzy "$po" | grep -A1 '^msgid' >&2 || true
    exit 1 ;;
esac
echo "$po: $stats"
