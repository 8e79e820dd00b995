#!/usr/bin/env bash
# Set up cunwu on a shared township server, from the offline bundle this script sits in.
# Run as root; safe to run again (after a new bundle, or to add staff).
#
#   sudo bash setup-server.sh [--staff ACCOUNT]... [--prefix /opt/cunwu] [--data /srv/cunwu]
#                             [--anchor-dir /var/lib/cunwu-anchor] [--python /usr/bin/python3]
#   bash setup-server.sh [options] --print sudoers|launcher|wrapper|digest   # show a file it writes (no root needed)
#   bash setup-server.sh --print fstab [< FSTAB]   # FSTAB (/etc/fstab from a terminal) as it would write it
#
# What it makes, and why:
#   - system account cunwu: the only account that can write the data (directory 0700, files
#     0600), so no clerk can edit the JSON or the journal with a text editor;
#   - the program in PREFIX (a venv, root-owned), from the bundle's wheels, no network;
#   - PREFIX/bin/cunwu-shared: root-owned launcher that fixes the data directory and the
#     anchor (a caller cannot point the service account at files of their own);
#   - /usr/local/bin/cunwu: what staff type; runs the launcher as cunwu through sudo, and
#     sudo tells cunwu who the human is (SUDO_USER, recorded in the journal). It refuses an
#     ID number among the arguments (cunwu's own check, before sudo sees them), and
#     `cunwu export get NAME --to FILE` it saves itself, as the clerk: a new 0600 FILE, never
#     over or through anything already there;
#   - /etc/sudoers.d/cunwu: members of group cunwu-staff may run that launcher as cunwu,
#     without a password, and nothing else (checked with visudo before it is installed);
#     sudo does not log these allowed runs (their arguments), cunwu's journal is the record;
#   - ANCHOR_DIR (root:cunwu 0770): the journal's chain head after every save, outside
#     the data directory, for `cunwu verify`;
#   - /etc/profile.d/cunwu-digest.sh: at an interactive login of a member of cunwu-staff, the
#     day's work in a few lines (`cunwu due --brief`: 逾期, 今日到期, 待签, 整改逾期, 整改待销号
#     for the person's villages and role; nothing when there is nothing); 5 seconds at most,
#     and whatever happens the login goes on;
#   - /proc mounted with hidepid=2, now and in /etc/fstab: a clerk's `ps` shows only their own
#     processes, not another clerk's command line (command lines carry what was typed).
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
	--print) PRINT=${2:?--print 后面要写 sudoers、launcher、wrapper、digest 或 fstab} && shift ;;
	-h | --help) sed -n "2,31p" "$0" && exit 0 ;;
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
# Allowed runs of the launcher are not logged by sudo: it would log every argument (names,
# objections with phone numbers, subjects). cunwu's own journal records who did what;
# denied attempts are still logged.
Defaults!$LAUNCHER !log_allowed
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
# The time zone comes from the settings or /etc/localtime, never from the caller (sudo keeps TZ).
unset TZ
# No core dumps (they would hold personal data); dash and bash both have ulimit -c.
# shellcheck disable=SC3045
ulimit -c 0
unset CUNWU_DATA
CUNWU_ANCHOR=$ANCHOR_DIR/head.json
export CUNWU_ANCHOR
# The locale is fixed too (sudo keeps the caller's LANG and LC_*): under a GBK one Python would
# write 城关村's folder name in other bytes, a second folder beside everyone else's. -X utf8:
# UTF-8 whatever the locale (C.UTF-8 may be missing).
LC_ALL=C.UTF-8
export LC_ALL
unset LANG LANGUAGE
exec $PREFIX/bin/python -X utf8 -I $PREFIX/bin/cunwu --data $DATA "\$@"
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
# Command lines are visible to others and sudo would log them: an ID number never goes past
# here. The check is cunwu's own (procedures/idnumber.py, which cunwu runs on its arguments
# too): every form (full-width digits, spaces, hyphens, split over several arguments), exit 2
# and the message. A bare interpreter (-S: the standard library only) runs it in a few ms.
for site in $PREFIX/lib/python3*/site-packages; do :; done
status=0
$PREFIX/bin/python -X utf8 -I -S -c '
import sys
sys.path.append(sys.argv.pop(1))
try:
    from procedures.idnumber import main
except ImportError:
    sys.exit(3)
sys.exit(main())' "\$site" "\$@" || status=\$?
if [ "\$status" != 0 ]; then
	[ "\$status" = 2 ] || echo "cunwu：未能检查命令行参数（$PREFIX 中的程序不完整？），未执行。请管理员重新运行 setup-server.sh。" >&2
	exit "\$status"
fi
# cunwu export get NAME --to FILE: FILE is created here, as you (0600, never over an existing
# file), and the document goes into it through standard output; removed again on failure.
if [ "\${1-}" = export ] && [ "\${2-}" = get ]; then
	to='' tos=0 want=''
	n=\$#
	while [ "\$n" -gt 0 ]; do
		arg=\$1
		shift
		n=\$((n - 1))
		if [ -n "\$want" ]; then
			to=\$arg want=''
			continue
		fi
		case \$arg in
		--to)
			want=1 tos=\$((tos + 1))
			continue
			;;
		--to=*)
			to=\${arg#--to=} tos=\$((tos + 1))
			continue
			;;
		esac
		set -- "\$@" "\$arg"
	done
	if [ -n "\$want" ] || { [ "\$tos" -gt 0 ] && [ -z "\$to" ]; }; then
		echo "cunwu：--to 后面要写保存的文件名，如 cunwu export get 文件名 --to 文件名" >&2
		exit 2
	fi
	if [ "\$tos" -gt 1 ]; then
		echo "cunwu：--to 只能写一次" >&2
		exit 2
	fi
	if [ -n "\$to" ]; then
		if [ -e "\$to" ] || [ -L "\$to" ]; then
			echo "cunwu：\$to 已存在，未覆盖。请换一个文件名，或先删除它。" >&2
			exit 1
		fi
		# The document goes into a new private folder beside FILE (mktemp -d: 0700, so nobody
		# can swap the file inside it), and the file then gets FILE's name with ln -T: link()
		# fails on any existing name (a file, a FIFO, a link) and follows nothing, so whatever
		# appears at FILE meanwhile is never opened.
		umask 077
		if ! dir=\$(mktemp -d -- "\$(dirname -- "\$to")/.cunwu-export.XXXXXX" 2>/dev/null); then
			echo "cunwu：不能创建 \$to（已存在，或目录不可写）。请换一个文件名或目录。" >&2
			exit 1
		fi
		tmp=\$dir/document
		trap 'rm -rf -- "\$dir"; exit 130' HUP INT TERM
		exec 3>"\$tmp"
		status=0
		sudo -n -u $ACCOUNT -H $LAUNCHER "\$@" >&3 || status=\$?
		exec 3>&-
		if [ "\$status" = 0 ] && ! ln -T -- "\$tmp" "\$to" 2>/dev/null; then
			if [ -e "\$to" ] || [ -L "\$to" ]; then
				echo "cunwu：\$to 已存在，未覆盖。请换一个文件名，或先删除它。" >&2
			else
				echo "cunwu：不能创建 \$to（已存在，或目录不可写）。请换一个文件名或目录。" >&2
			fi
			status=1
		fi
		rm -rf -- "\$dir"
		trap - HUP INT TERM
		if [ "\$status" != 0 ]; then
			exit "\$status"
		fi
		echo "已保存：\$to"
		exit 0
	fi
fi
exec sudo -n -u $ACCOUNT -H $LAUNCHER "\$@"
EOF
}

# Sourced by every login shell (/etc/profile), so: POSIX sh, no exit, no variables left behind,
# nothing for a non-interactive login (scp, ssh host command) or anyone outside $GROUP. The
# wrapper runs it as everyone runs cunwu; timeout --foreground keeps it in the terminal's
# foreground (sudo with use_pty) and ends it after 5 s (then KILL 2 s later): a slow disk or
# a held lock never keeps anyone from their shell. Its status is dropped.
digest() {
	cat <<EOF
# cunwu (written by setup-server.sh): at an interactive login of a member of $GROUP, the day's
# work in a few lines (cunwu due --brief). Never blocks the login: 5 seconds at most.
case \$- in
*i*)
	case " \$(id -nG 2>/dev/null) " in
	*" $GROUP "*)
		if [ -x /usr/local/bin/cunwu ] && command -v timeout >/dev/null 2>&1; then
			timeout --foreground -k 2 5 /usr/local/bin/cunwu due --brief </dev/null || :
		fi
		;;
	esac
	;;
esac
EOF
}

# /etc/fstab on standard input, printed with hidepid=2 on the /proc line (one is added if
# there is none). Its own output goes through unchanged: running setup again changes nothing.
fstab() {
	awk '
	function add(list, item) { return list == "" ? item : list "," item }
	/^[[:space:]]*#/ || NF < 3 { print; next }
	$2 == "/proc" && $3 == "proc" {
		found = 1
		n = split($4, opts, ",")
		out = ""
		hidden = 0
		for (i = 1; i <= n; i++) {
			if (opts[i] == "hidepid=2" || opts[i] == "hidepid=invisible") {
				if (!hidden) out = add(out, opts[i])
				hidden = 1
			} else if (opts[i] != "" && opts[i] !~ /^hidepid=/) {
				out = add(out, opts[i])
			}
		}
		if (!hidden) out = add(out, "hidepid=2")
		if (out != $4) $4 = out
		print
		next
	}
	{ print }
	END { if (!found) print "proc /proc proc defaults,hidepid=2 0 0" }
	'
}

case $PRINT in
'') ;;
sudoers | launcher | wrapper | digest) "$PRINT" && exit 0 ;;
fstab)
	if [[ -t 0 ]]; then
		fstab </etc/fstab
	else
		fstab
	fi
	exit 0
	;;
*) die "--print 只能是 sudoers、launcher、wrapper、digest 或 fstab" ;;
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

echo "== 登录提示：/etc/profile.d/cunwu-digest.sh（$GROUP 成员登录时显示当天待办，最多 5 秒）"
digest >"$tmp"
install -o root -g root -m 0644 "$tmp" /etc/profile.d/cunwu-digest.sh

echo "== sudo 规则：/etc/sudoers.d/cunwu"
sudoers >"$tmp"
visudo -cqf "$tmp" || die "sudo 规则未通过 visudo 检查，未安装"
install -o root -g root -m 0440 "$tmp" /etc/sudoers.d/cunwu
visudo -cq || die "安装后 sudo 配置检查失败，请立即检查 /etc/sudoers.d/cunwu"
grep -Eq '^[@#]includedir[[:space:]]+/etc/sudoers.d' /etc/sudoers ||
	echo "注意：/etc/sudoers 中没有 @includedir /etc/sudoers.d，上面的规则不会生效" >&2

echo "== 进程可见性：/proc 以 hidepid=2 挂载（工作人员看不到别人的进程和命令行）"
# Persist first (a copy renamed over it), then apply now; a container may refuse the mount.
if [[ -f /etc/fstab ]]; then
	fstab </etc/fstab >"$tmp"
else
	fstab </dev/null >"$tmp"
fi
if ! cmp -s "$tmp" /etc/fstab; then
	if [[ -f /etc/fstab ]]; then
		cp -p /etc/fstab /etc/fstab.before-cunwu
	fi
	cp "$tmp" /etc/fstab.cunwu-new
	chmod 0644 /etc/fstab.cunwu-new
	mv -f /etc/fstab.cunwu-new /etc/fstab
	echo "   已在 /etc/fstab 中设置 hidepid=2（原文件另存为 /etc/fstab.before-cunwu）"
fi
if ! mount -o remount,hidepid=2 /proc 2>/dev/null ||
	! grep -Eq '^[^ ]+ /proc proc [^ ]*hidepid=(2|invisible)' /proc/mounts; then
	echo "警告：未能以 hidepid=2 重新挂载 /proc（例如在容器中）。在此之前，工作人员可以用 ps 看到彼此的命令行。" >&2
	echo "      /etc/fstab 已设置，重启后生效；容器中请在宿主机或容器的配置中设置。" >&2
fi

echo
echo "完成。下一步（root 或 $GROUP 成员）："
if [[ -f $DATA/settings.toml ]]; then
	echo "  cunwu verify                                  # 核验日志、锚点和数据"
else
	echo "  cunwu init --township 乡镇名 --village 村名 --staff 账号=姓名:角色   # 首次设置"
fi
echo "  人员：sudo bash $0 --staff 账号   或   usermod -aG $GROUP 账号"
