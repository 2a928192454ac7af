#!/bin/bash
# Install digitcam as a kiosk on Raspberry Pi OS (64-bit, Bookworm or Trixie): power on and the live reading
# appears; if it hangs or crashes, systemd restarts it. Safe to run again (it updates, keeping your settings).
#
#   sudo systemd/install.sh                 install or update, then start
#   sudo systemd/install.sh --uninstall     remove what it installed (an edited config is kept)
#   systemd/install.sh --dry-run            print every step, change nothing
#
#   --screen auto|drm|http|desktop   drm: the camera's picture full screen on HDMI, no desktop (Raspberry Pi OS
#                                    Lite); http: no screen, a web page instead; desktop: a full-screen window in
#                                    the desktop session. auto (default): desktop if a display manager is
#                                    enabled, else drm if a screen is connected, else http.
#   --prefix DIR                     where the app and its venv go (default /opt/digitcam)
#   --root DIR                       install into DIR as if it were / (default /). For tests and image staging:
#                                    outside the real root, apt, the user, pip, the self-check and systemctl are
#                                    skipped and said so.
#   --python PATH                    the system Python whose apt packages the venv uses (default /usr/bin/python3)
set -euo pipefail
umask 022

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=/
PREFIX=/opt/digitcam
SCREEN=auto
PYTHON=/usr/bin/python3
DRY_RUN=no
ACTION=install

USER_NAME=digitcam
GROUPS_NEEDED=(video render)
APT_PACKAGES=(python3-picamera2 python3-opencv python3-numpy python3-venv python3-kms++)
CONFIG=/etc/digitcam/digitcam.toml
UNIT=/etc/systemd/system/digitcam.service
USER_UNIT=/etc/systemd/user/digitcam-desktop.service
AUTOSTART=/etc/xdg/autostart/digitcam.desktop
MODEL=digits_int8

usage() { sed -n '2,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
say() { echo "digitcam: $*"; }
fail() { echo "digitcam: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --uninstall) ACTION=uninstall ;;
        --dry-run) DRY_RUN=yes ;;
        --screen) SCREEN=${2:?--screen needs a value}; shift ;;
        --prefix) PREFIX=${2:?--prefix needs a directory}; shift ;;
        --root) ROOT=${2:?--root needs a directory}; shift ;;
        --python) PYTHON=${2:?--python needs a path}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; fail "unknown option $1" ;;
    esac
    shift
done
case $SCREEN in auto|drm|http|desktop) ;; *) fail "--screen must be auto, drm, http or desktop, not $SCREEN" ;; esac
[[ $PREFIX == /* && $PREFIX != *[[:space:]#]* ]] || fail "--prefix must be an absolute path without spaces or #"
[[ $ROOT == /* ]] || fail "--root must be an absolute path"
ROOT=${ROOT%/}  # "" for the real root
REAL=no
if [ -z "$ROOT" ]; then REAL=yes; fi

at() { printf '%s%s' "$ROOT" "$1"; }  # where a path of the installed system is on this machine

run() {  # a step that changes files: printed, and done unless --dry-run
    echo "+ $*"
    [ "$DRY_RUN" = yes ] || "$@"
}

system() {  # a step that changes the system itself: only on the real root
    if [ "$REAL" = no ]; then
        echo "skip (--root is not /): $*"
    else
        run "$@"
    fi
}

render() {  # copy SRC to DEST atomically with MODE, paths under /opt/digitcam moved to --prefix
    local src=$1 dest=$2 mode=$3
    echo "+ install -m $mode $src $dest"
    [ "$DRY_RUN" = yes ] && return
    mkdir -p "$(dirname "$(at "$dest")")"
    sed "s#/opt/digitcam#$PREFIX#g" "$src" > "$(at "$dest").digitcam-new"
    chmod "$mode" "$(at "$dest").digitcam-new"
    mv -f "$(at "$dest").digitcam-new" "$(at "$dest")"
}

detect_screen() {
    local manager
    manager=$(at /etc/systemd/system/display-manager.service)
    if [ -L "$manager" ] || [ -e "$manager" ]; then  # a symlink to lightdm.service and the like
        echo desktop
    elif grep -qx connected /sys/class/drm/card*-*/status 2>/dev/null; then
        echo drm
    else
        echo http
    fi
}

config_for() {  # the default config, its display (and address) set for the screen
    case $1 in
        drm) sed 's/^display = .*/display = "drm"/' "$SRC/systemd/digitcam.toml" ;;
        desktop) sed 's/^display = .*/display = "fullscreen"/' "$SRC/systemd/digitcam.toml" ;;
        http) sed -e 's/^display = .*/display = "http"/' -e 's/^http = .*/http = "0.0.0.0:8080"/' \
                  "$SRC/systemd/digitcam.toml" ;;
    esac
}

manifest_value() {  # KEY's value in the manifest of a previous install, if any
    local file
    file=$(at "$PREFIX/installed")
    if [ -f "$file" ]; then sed -n "s/^$1 //p" "$file" | head -n 1; fi
}

install_app() {
    local new old
    new=$(at "$PREFIX/app.new") old=$(at "$PREFIX/app.old")
    echo "+ copy $SRC/edge and the $MODEL model to $PREFIX/app"
    [ "$DRY_RUN" = yes ] && return
    rm -rf "$new" "$old"
    mkdir -p "$new/models"
    (cd "$SRC" && find edge -name '*.py' -print0 | xargs -0 -I{} install -D -m 644 {} "$new/{}")
    install -m 644 "$SRC/models/$MODEL.tflite" "$SRC/models/$MODEL.json" "$new/models/"
    # The service cannot write bytecode (ProtectSystem=strict): compile it now, named as it will be installed.
    "$PYTHON" -m compileall -q -d "$PREFIX/app/edge" "$new/edge" >/dev/null
    find "$new" -type d -exec chmod 755 {} +
    find "$new" -type f -exec chmod 644 {} +
    if [ -d "$(at "$PREFIX/app")" ]; then mv "$(at "$PREFIX/app")" "$old"; fi
    mv "$new" "$(at "$PREFIX/app")"  # the running service keeps the old code until it restarts
    rm -rf "$old"
}

install_venv() {
    local version
    version=$("$PYTHON" -c 'import sys; print("python%d.%d" % sys.version_info[:2])')
    if [ "$REAL" = yes ]; then
        run sh "$SRC/systemd/pi-venv.sh" "$PYTHON" "$(at "$PREFIX/venv")"
    else
        echo "skip (--root is not /): pip install of the edge extra (venv made, nothing downloaded)"
        run sh "$SRC/systemd/pi-venv.sh" "$PYTHON" "$(at "$PREFIX/venv")" --no-pip
    fi
    # The app is found through a .pth file, like an editable install: `python -m edge` from any directory.
    echo "+ echo $PREFIX/app > $PREFIX/venv/lib/$version/site-packages/digitcam.pth"
    [ "$DRY_RUN" = yes ] || echo "$PREFIX/app" > "$(at "$PREFIX/venv/lib/$version/site-packages/digitcam.pth")"
}

install_config() {
    local file sha previous wanted
    file=$(at "$CONFIG")
    if [ -f "$file" ]; then
        previous=$(manifest_value config-sha256)
        sha=$(sha256sum "$file" | cut -d' ' -f1)
        if [ "$sha" = "$previous" ]; then say "keeping $CONFIG (unchanged since installed)"
        else say "keeping your $CONFIG"; fi
        wanted=$(config_for "$SCREEN" | grep '^display = ')
        if ! grep -qx "$wanted" "$file"; then
            say "note: --screen $SCREEN would write '$wanted'; your config says '$(grep '^display = ' "$file" || true)'"
        fi
        CONFIG_SHA=$previous
        return
    fi
    echo "+ write $CONFIG (display for --screen $SCREEN)"
    if [ "$DRY_RUN" = yes ]; then CONFIG_SHA=; return; fi
    mkdir -p "$(dirname "$file")"
    chmod 755 "$(dirname "$file")"
    config_for "$SCREEN" > "$file.digitcam-new"
    chmod 644 "$file.digitcam-new"
    mv "$file.digitcam-new" "$file"
    CONFIG_SHA=$(sha256sum "$file" | cut -d' ' -f1)
}

ensure_user() {
    local group
    for group in "${GROUPS_NEEDED[@]}"; do
        getent group "$group" >/dev/null || system groupadd --system "$group"
    done
    if getent passwd "$USER_NAME" >/dev/null; then
        system usermod --append --groups "$(IFS=,; echo "${GROUPS_NEEDED[*]}")" "$USER_NAME"
        USER_CREATED=$(manifest_value user-created)
    else
        system useradd --system --user-group --groups "$(IFS=,; echo "${GROUPS_NEEDED[*]}")" \
            --home-dir /var/lib/digitcam --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
        USER_CREATED=$REAL
    fi
}

write_manifest() {  # what uninstall removes: files outside the prefix, whether the user is ours, the config as made
    echo "+ write $PREFIX/installed"
    [ "$DRY_RUN" = yes ] && return
    {
        echo "# digitcam install.sh: what --uninstall removes"
        for path in "$@"; do echo "file $path"; done
        echo "user-created ${USER_CREATED:-no}"
        [ -n "${CONFIG_SHA:-}" ] && echo "config-sha256 $CONFIG_SHA"
    } > "$(at "$PREFIX/installed").digitcam-new"
    chmod 644 "$(at "$PREFIX/installed").digitcam-new"
    mv "$(at "$PREFIX/installed").digitcam-new" "$(at "$PREFIX/installed")"
}

do_install() {
    [ "$REAL" = no ] || [ "$DRY_RUN" = yes ] || [ "$(id -u)" = 0 ] || fail "run it as root: sudo $0"
    [ "$(getconf LONG_BIT)" = 64 ] ||
        fail "this is a 32-bit OS: ai-edge-litert (the TFLite runtime) has 64-bit wheels only. Install Raspberry Pi OS (64-bit)."
    [ -f "$SRC/models/$MODEL.tflite" ] || fail "$SRC/models/$MODEL.tflite is missing (make model)"
    if [ "$SCREEN" = auto ]; then SCREEN=$(detect_screen); fi
    say "installing to ${ROOT:-/} (prefix $PREFIX, screen $SCREEN)"

    system apt-get update
    system env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}"
    ensure_user
    install_app
    run install -d -m 755 "$(at "$PREFIX/bin")"
    render "$SRC/systemd/selfcheck.py" "$PREFIX/bin/selfcheck.py" 644
    render "$SRC/systemd/digitcam-desktop" "$PREFIX/bin/digitcam-desktop" 755
    install_venv
    install_config
    render "$SRC/systemd/digitcam.service" "$UNIT" 644
    render "$SRC/systemd/digitcam-desktop.service" "$USER_UNIT" 644
    local files=("$CONFIG" "$UNIT" "$USER_UNIT")
    if [ "$SCREEN" = desktop ]; then
        render "$SRC/systemd/digitcam.desktop" "$AUTOSTART" 644
        files+=("$AUTOSTART")
    elif [ -e "$(at "$AUTOSTART")" ]; then
        run rm -f "$(at "$AUTOSTART")"  # installed before for the desktop: one instance at a time
    fi
    write_manifest "${files[@]}"

    # A bare import passes even when numpy's ABI is broken: this makes each library work on arrays.
    system "$PREFIX/venv/bin/python" "$PREFIX/bin/selfcheck.py" "$PREFIX/app/models/$MODEL.tflite"
    system "$PREFIX/venv/bin/python" -m edge run --config "$CONFIG" --check-config
    system systemctl daemon-reload
    if [ "$SCREEN" = desktop ]; then
        system systemctl disable --now digitcam.service
    else
        system systemctl enable digitcam.service
        system systemctl restart digitcam.service
    fi
    if [ "$DRY_RUN" = yes ]; then
        say "dry run: nothing was changed"
    elif [ "$SCREEN" = desktop ]; then
        say "installed: it starts at the next desktop login (now: $PREFIX/bin/digitcam-desktop as the desktop user)"
        say "logs: journalctl --user -u digitcam-desktop -f; settings: $CONFIG"
    else
        say "installed and started; logs: journalctl -u digitcam -f; settings: $CONFIG"
    fi
}

do_uninstall() {
    [ "$REAL" = no ] || [ "$DRY_RUN" = yes ] || [ "$(id -u)" = 0 ] || fail "run it as root: sudo $0 --uninstall"
    local manifest path sha
    manifest=$(at "$PREFIX/installed")
    [ -f "$manifest" ] || fail "no digitcam install at ${ROOT}$PREFIX (its $PREFIX/installed is missing)"
    if [ -e "$(at "$UNIT")" ]; then
        system systemctl disable --now digitcam.service
    fi
    while read -r path; do
        if [ "$path" = "$CONFIG" ] && [ -f "$(at "$CONFIG")" ]; then
            sha=$(sha256sum "$(at "$CONFIG")" | cut -d' ' -f1)
            if [ "$sha" != "$(manifest_value config-sha256)" ]; then
                say "keeping your edited $CONFIG (delete it yourself if you want it gone)"
                continue
            fi
        fi
        [ -e "$(at "$path")" ] && run rm -f "$(at "$path")"
    done < <(sed -n 's/^file //p' "$manifest")
    if [ -d "$(at /etc/digitcam)" ] && [ -z "$(ls -A "$(at /etc/digitcam)")" ]; then
        run rmdir "$(at /etc/digitcam)"
    fi
    if [ "$(manifest_value user-created)" = yes ] && getent passwd "$USER_NAME" >/dev/null; then
        system userdel "$USER_NAME"
    fi
    run rm -rf "$(at "$PREFIX")"
    system systemctl daemon-reload
    if [ "$DRY_RUN" = yes ]; then say "dry run: nothing was changed"; return; fi
    say "uninstalled. Left in place: the apt packages (${APT_PACKAGES[*]}) and /var/lib/digitcam (snapshots, recordings)"
}

if [ "$ACTION" = install ]; then do_install; else do_uninstall; fi
