#!/usr/bin/env bash
# Set up cunwu on a shared township server, from the offline bundle this script sits in.
# Run as root; safe to run again (after a new bundle, or to add staff).
#
#   sudo bash setup-server.sh [--staff ACCOUNT]... [--prefix /opt/cunwu] [--data /srv/cunwu]
#                             [--anchor-dir /var/lib/cunwu-anchor] [--python /usr/bin/python3]
#   bash setup-server.sh [options] --print sudoers|launcher|wrapper   # show a file it writes (no root needed)
#
# What it makes, and why:
#   - system account cunwu: the only account that can write the data (directory 0700, files
#     0600), so no clerk can edit the JSON or the journal with a text editor;
#   - the program in PREFIX (a venv, root-owned), from the bundle's wheels, no network;
#   - PREFIX/bin/cunwu-shared: root-owned launcher that fixes the data directory and the
#     anchor (a caller cannot point the service account at files of their own);
#   - /usr/local/bin/cunwu: what staff type; runs the launcher as cunwu through sudo, and
#     sudo tells cunwu who the human is (SUDO_USER, recorded in the journal);
#   - /etc/sudoers.d/cunwu: members of group cunwu-staff may run that launcher as cunwu,
#     without a password, and nothing else (checked with visudo before it is installed);
#   - ANCHOR_DIR (root:cunwu 0770): the journal's chain head after every save, outside
#     the data directory, for `cunwu verify`.
set -euo pipefail

ACCOUNT=cunwu
GROUP=cunwu-staff
PREFIX=/opt/cunwu
DATA=/srv/cunwu
ANCHOR_DIR=/var/lib/cunwu-anchor
HOME_DIR=/var/lib/cunwu
PYTHON=python3
BUNDLE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STAFF=()
PRINT=

die() {
	echo "setup-server.sh：$*" >&2
	exit 1
}

while (($#)); do
	case $1 in
	--staff) STAFF+=("${2:?--staff 后面要写账号}") && shift ;;
	--prefix) PREFIX=${2:?--prefix 后面要写目录} && shift ;;
	--data) DATA=${2:?--data 后面要写目录} && shift ;;
	--anchor-dir) ANCHOR_DIR=${2:?--anchor-dir 后面要写目录} && shift ;;
	--python) PYTHON=${2:?--python 后面要写 Python 程序} && shift ;;
	--print) PRINT=${2:?--print 后面要写 sudoers、launcher 或 wrapper} && shift ;;
	-h | --help) sed -n "2,20p" "$0" && exit 0 ;;
	*) die "不认识的参数 $1（见 --help）" ;;
	esac
	shift
done
for dir in "$PREFIX" "$DATA" "$ANCHOR_DIR"; do
	[[ $dir == /* && $dir != *[[:space:]]* ]] || die "目录须为不含空格的绝对路径：$dir"
done
LAUNCHER=$PREFIX/bin/cunwu-shared

sudoers() {
	cat <<EOF
# cunwu (written by setup-server.sh): members of $GROUP run cunwu as the service account
# $ACCOUNT, which alone can write the data, without a password; nothing else.
# SSH_CONNECTION is kept only to record the client's address (informative).
Defaults!$LAUNCHER env_keep += "SSH_CONNECTION"
%$GROUP ALL=($ACCOUNT) NOPASSWD: $LAUNCHER
EOF
}

launcher() {
	cat <<EOF
#!/bin/sh
# Run by sudo as $ACCOUNT (see /etc/sudoers.d/cunwu; written by setup-server.sh). The data
# directory and the anchor are fixed here: a caller cannot point the service account at
# files of their own. python -I: no PYTHONPATH, no user site, no script directory.
for arg in "\$@"; do
	case \$arg in
	--data | --data=*)
		echo "cunwu：本服务器的数据目录固定为 $DATA，不能用 --data 另指" >&2
		exit 2
		;;
	esac
done
umask 077
# No core dumps (they would hold personal data); dash and bash both have ulimit -c.
# shellcheck disable=SC3045
ulimit -c 0
unset CUNWU_DATA
CUNWU_ANCHOR=$ANCHOR_DIR/head.json
export CUNWU_ANCHOR
exec $PREFIX/bin/python -I $PREFIX/bin/cunwu --data $DATA "\$@"
EOF
}

wrapper() {
	cat <<EOF
#!/bin/sh
# cunwu on this server (written by setup-server.sh): runs the app as the service account
# $ACCOUNT, which alone can write the data; sudo tells it who you are (SUDO_USER).
if [ "\$(id -u)" != 0 ]; then
	case " \$(id -nG) " in
	*" $GROUP "*) ;;
	*)
		echo "cunwu：账号 \$(id -un) 不在 $GROUP 组中。请管理员运行 usermod -aG $GROUP \$(id -un)，重新登录后生效。" >&2
		exit 1
		;;
	esac
fi
exec sudo -n -u $ACCOUNT -H $LAUNCHER "\$@"
EOF
}

case $PRINT in
'') ;;
sudoers | launcher | wrapper) "$PRINT" && exit 0 ;;
*) die "--print 只能是 sudoers、launcher 或 wrapper" ;;
esac

((EUID == 0)) || die "请用 root 运行：sudo bash $0"
[[ -f $BUNDLE/install.py && -d $BUNDLE/wheels ]] || die "$BUNDLE 不是离线安装包（缺 install.py 或 wheels/）"
command -v "$PYTHON" >/dev/null || die "需要 $PYTHON（3.11 或更高，带 venv）"
command -v visudo >/dev/null || die "需要 sudo（visudo），请先安装 sudo"

echo "== 账号：$ACCOUNT（服务账号），组：$GROUP（可以使用 cunwu 的人员）"
getent group "$GROUP" >/dev/null || groupadd --system "$GROUP"
if ! id -u "$ACCOUNT" >/dev/null 2>&1; then
	nologin=$(command -v nologin || echo /usr/sbin/nologin)
	useradd --system --user-group --home-dir "$HOME_DIR" --no-create-home --shell "$nologin" \
		--comment "cunwu service account" "$ACCOUNT"
fi
install -d -o "$ACCOUNT" -g "$ACCOUNT" -m 0700 "$HOME_DIR"
for person in ${STAFF[@]+"${STAFF[@]}"}; do
	id -u "$person" >/dev/null 2>&1 || die "没有账号 $person"
	usermod -aG "$GROUP" "$person"
	echo "   $person 已加入 $GROUP（重新登录后生效）"
done

echo "== 程序：$PREFIX"
"$PYTHON" "$BUNDLE/install.py" --prefix "$PREFIX"
chown -R root:root "$PREFIX"
# The venv links to the Python it was made with: one under /root (pyenv) is out of cunwu's reach.
sudo -u "$ACCOUNT" "$PREFIX/bin/python" -c "" 2>/dev/null ||
	die "$PREFIX/bin/python（即 $(readlink -f "$PREFIX/bin/python")）$ACCOUNT 账号无法运行。请删除 $PREFIX，再加 --python /usr/bin/python3 重新运行。"

echo "== 数据目录：$DATA（只有 $ACCOUNT 可读写），锚点目录：$ANCHOR_DIR"
mkdir -p "$DATA" "$ANCHOR_DIR"
chown -hR "$ACCOUNT:$ACCOUNT" "$DATA"
chmod 0700 "$DATA"
chown root:"$ACCOUNT" "$ANCHOR_DIR"
chmod 0770 "$ANCHOR_DIR"

echo "== 启动脚本：$LAUNCHER 和 /usr/local/bin/cunwu"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
launcher >"$tmp"
install -o root -g root -m 0755 "$tmp" "$LAUNCHER"
wrapper >"$tmp"
install -o root -g root -m 0755 "$tmp" /usr/local/bin/cunwu

echo "== sudo 规则：/etc/sudoers.d/cunwu"
sudoers >"$tmp"
visudo -cqf "$tmp" || die "sudo 规则未通过 visudo 检查，未安装"
install -o root -g root -m 0440 "$tmp" /etc/sudoers.d/cunwu
visudo -cq || die "安装后 sudo 配置检查失败，请立即检查 /etc/sudoers.d/cunwu"
grep -Eq '^[@#]includedir[[:space:]]+/etc/sudoers.d' /etc/sudoers ||
	echo "注意：/etc/sudoers 中没有 @includedir /etc/sudoers.d，上面的规则不会生效" >&2

echo
echo "完成。下一步（root 或 $GROUP 成员）："
if [[ -f $DATA/settings.toml ]]; then
	echo "  cunwu verify                                  # 核验日志、锚点和数据"
else
	echo "  cunwu init --township 乡镇名 --village 村名 --staff 账号=姓名:角色   # 首次设置"
fi
echo "  人员：sudo bash $0 --staff 账号   或   usermod -aG $GROUP 账号"
