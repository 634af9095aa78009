# Every target sets up what it needs: a .venv with pinned packages, and litecoind from Debian.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check bench package deps litecoind clean translations icon screenshots

$(STAMP): pyproject.toml requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $(STAMP)

deps: $(STAMP) litecoind

litecoind:
	@bash packaging/install-system-deps.sh

run: deps
	$(BIN)/python main.py --simnet --datadir simnet-data

# The suite waits on nodes, servers and processes far more than it computes: a few workers,
# each taking whole files (module fixtures such as a simnet start once; in-file order kept).
TEST_WORKERS ?= 3

test: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app dexproto dexserver simnet tests benchmarks
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider \
		-n $(TEST_WORKERS) --dist loadfile

# The quick loop while coding: lint, types, unit and GUI tests (no nodes, no e-x, no simnet).
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app dexproto dexserver simnet tests benchmarks
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider \
		-n $(TEST_WORKERS) --dist loadfile tests/unit tests/gui

bench: deps
	$(BIN)/python -m benchmarks

package: deps
	$(BIN)/pyinstaller --noconfirm --distpath dist --workpath build packaging/cambio.spec
	dist/cambio/cambio --self-test

translations: $(STAMP)
	$(BIN)/pyside6-lupdate -tr-function-alias translate+=_tr $(filter-out app/ui/selftest.py,$(wildcard app/ui/*.py)) -ts resources/translations/cambio_zh_CN.ts -no-obsolete
	$(BIN)/pyside6-lrelease resources/translations/cambio_zh_CN.ts -qm resources/translations/cambio_zh_CN.qm

screenshots: deps
	rm -rf build/screenshot-simnet && xvfb-run -a -s "-screen 0 1440x900x24" $(BIN)/python main.py --simnet --datadir build/screenshot-simnet --screenshot-dir docs/screenshots

icon: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/render_icon.py

clean:
	rm -rf $(VENV) build dist
