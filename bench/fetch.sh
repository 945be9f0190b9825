# Sourced by the benchmark scripts: fetch_repositories DIR "owner/name commit"... clones each
# missing repository into DIR/owner+name and checks out the commit given (which needs network
# access to github.com). The repositories are third-party code, used only as input.
fetch_repositories() {
  local dir=$1 entry repository commit target
  shift
  mkdir -p "$dir"
  for entry in "$@"; do
    read -r repository commit <<< "$entry"
    target="$dir/${repository/\//+}"
    if [ ! -d "$target" ]; then
      git clone --quiet "https://github.com/$repository" "$target"
      git -C "$target" checkout --quiet "$commit"
    fi
  done
}
