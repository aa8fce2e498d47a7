# Thin wrappers around scripts/dev.sh (which does the real work; see its header).
# Extra pytest / bench arguments: make test ARGS="-k auth -x"
ARGS ?=

.PHONY: setup test demo bench

setup:
	bash scripts/dev.sh setup

test:
	bash scripts/dev.sh test $(ARGS)

demo:
	bash scripts/dev.sh demo

bench:
	bash scripts/dev.sh bench $(ARGS)
