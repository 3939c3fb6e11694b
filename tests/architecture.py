"""The import-linter contract type that pyproject.toml's "no import cycle" contract uses.

import-linter's own acyclic_siblings contract squashes each package into one node and so
finds cycles between sibling packages, not between modules: `contacts.models` re-exports
the import's models for Django while the import's modules read `contacts.models`, which
makes every feature package a "cycle" with the core although no module imports itself.
This contract looks at modules: a cycle is a module that reaches itself through the
imports, those inside functions included (the grimp graph counts every import statement),
those under `if TYPE_CHECKING:` left out when the session excludes them, and the packages
that Python imports before the module named (which grimp leaves out) added.
"""

from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils


def add_parent_imports(graph, modules):
    """Add to graph what Python imports first: the packages above each module imported.

    `from contacts.views.lists import x` runs `contacts/views/__init__.py` first; when that
    imports the importer back, importing the importer first fails. A module inside the
    package is not concerned: its package is already being imported when it is.
    """
    for importer in modules:
        for imported in graph.find_modules_directly_imported_by(importer) & modules:
            package = imported.rpartition(".")[0]
            while package in modules and not importer.startswith(package + "."):
                if package != importer:
                    graph.add_import(importer=importer, imported=package)
                package = package.rpartition(".")[0]


def module_cycles(graph, modules):
    """Return one cycle per import that closes one, as a tuple of modules, shortest first.

    A cycle is given once, starting from its smallest module, whichever import found it.
    """
    cycles = set()
    for importer in modules:
        for imported in graph.find_modules_directly_imported_by(importer) & modules:
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is None:
                continue
            cycle = (importer, *back[:-1])
            start = cycle.index(min(cycle))
            cycles.add(cycle[start:] + cycle[:start])
    return sorted(cycles, key=lambda cycle: (len(cycle), cycle))


class AcyclicModulesContract(Contract):
    """No module of the packages named imports itself, directly or through others."""

    type_name = "acyclic_modules"

    packages = fields.ListField(subfield=fields.ModuleField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph, verbose):
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,
            unmatched_alerting=contract_utils.AlertLevel.ERROR,
        )
        modules = set()
        for package in self.packages:
            modules |= {package.name, *graph.find_descendants(package.name)}
        add_parent_imports(graph, modules)
        cycles = module_cycles(graph, modules)
        return ContractCheck(
            kept=not cycles,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"cycles": cycles},
        )

    def render_broken_contract(self, check):
        for cycle in check.metadata["cycles"]:
            output.print_error(" -> ".join((*cycle, cycle[0])), bold=False)
            output.new_line()
