#!/usr/bin/env bash
# System packages Veriga needs: ICU headers (PyICU builds against them), pkg-config, a Java
# runtime for the Spark engine, and Chromium for the browser tests. Installs them with
# apt-get when run as root on Debian; otherwise says what is missing.
set -u
missing=()
pkg-config --exists icu-uc 2>/dev/null || missing+=(libicu-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
  echo "Veriga needs these system packages: ${missing[*]}" >&2
  echo "Install them with your package manager (Debian/Ubuntu: sudo apt-get install ${missing[*]})." >&2
  case " ${missing[*]} " in *" libicu-dev "*|*" pkg-config "*) exit 1;; esac
  echo "(Java is only needed for the Spark engine, Chromium for the browser tests.)" >&2
fi
