"""Print the dependencies of pyproject.toml (and the named extras) one per line, for pip -r."""

import sys
import tomllib


def main() -> None:
    path, extras = sys.argv[1], sys.argv[2:]
    with open(path, "rb") as handle:
        project = tomllib.load(handle)["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += [
            r for r in project["optional-dependencies"][extra] if not r.startswith(project["name"])
        ]
    print("\n".join(requirements))


if __name__ == "__main__":
    main()
