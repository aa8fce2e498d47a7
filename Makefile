# Thin wrappers around scripts/dev.sh (which does the real work; see its header).
# Extra pytest / bench arguments: make test ARGS="-k auth -x"
ARGS ?=

.PHONY: setup test test-matrix demo bench

setup:
	bash scripts/dev.sh setup

test:
	bash scripts/dev.sh test $(ARGS)

# The integration suite on Directus {12.4.0, 11.17.4} x {SQLite, PostgreSQL}.
test-matrix:
	bash scripts/dev.sh matrix $(ARGS)

demo:
	bash scripts/dev.sh demo

bench:
	bash scripts/dev.sh bench $(ARGS)
