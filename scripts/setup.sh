#!/usr/bin/env bash
# Install every Debian package wirewall needs to build, test and demo.
# Idempotent: when everything is present it only checks, in about a second.
set -euo pipefail

PACKAGES=(
	# build
	gcc libc6-dev meson ninja-build pkg-config
	dpdk dpdk-dev libdpdk-dev
	libpcap-dev libiniparser-dev libjansson-dev libssl-dev openssl
	# request validation: the Core Rule Set, Hyperscan, PCRE2; the CRS
	# regression tests (YAML) and libmodsecurity3 as their peer
	modsecurity-crs libhyperscan-dev libpcre2-dev libyaml-dev
	libmodsecurity-dev
	# libmodsecurity3's recommended modsecurity.conf, as Debian ships it
	# for its nginx connector: the peer is set up as its users set it up
	libnginx-mod-http-modsecurity
	# tests
	libcmocka-dev clang-format clang python3 python3-scapy
	python3-jwt python3-cryptography
	# models: training, export, parity tests, perf/forest's peers
	python3-numpy python3-sklearn python3-xgboost libxgboost-dev
	# the payload corpus test reads these tools' wordlists
	wfuzz sqlmap wapiti dirb
	# the netns rig and the traffic in tests and the demo
	iproute2 iputils-ping curl iperf3 procps ethtool tcpdump
	# the metrics endpoint (libmicrohttpd); its test scrapes it with a
	# real Prometheus and checks the format with promtool
	libmicrohttpd-dev prometheus
	# scripts/traffic: the shop's server, benign clients and the attack
	# tools of the labelled captures; the evaluation's plots
	nginx siege wrk apache2-utils nmap masscan hping3 slowhttptest hydra
	ffuf gobuster python3-matplotlib
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "setup: all ${#PACKAGES[@]} packages present"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "setup: missing packages: ${missing[*]}" >&2
	echo "setup: run as root (or install them with apt-get)" >&2
	exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
