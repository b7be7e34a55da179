"""remin's command line. Each command lives in its own module and only
translates between the terminal and the library API.

Command modules are imported when their command runs (``LazyGroup``), so the
help and a command's start-up pay only for what that command uses. Register a
new command module here: its command names, the module, and the first
paragraph of the command's help (what ``remin --help`` lists; a test checks it
matches the command's docstring).
"""
from remin.cli._app import main

#: command name -> (module that defines it, first paragraph of its help)
COMMANDS = {
    "batch": ("remin.cli.batch", "Score many BOM files: every file in PATH (folders are searched recursively "
              "for .xlsx/.xlsm/.xls/.ods/.csv/.tsv) or matching GLOB."),
    "check": ("remin.cli.check", "Screen BOM FILES: the Chinese-origin share of every SKU against the 0.1 % "
              "threshold, by value (Announcement 61 Art. 1(1), for Annex 1 Part II items) and by mass "
              "(screening)."),
    "explain": ("remin.cli.explain", "Explain SKU's verdict from BOM FILES: its BOM tree pruned to the branches "
                "that carry controlled rare earths, each node with its Chinese-origin and unknown-origin content "
                "and share of the SKU's mass; the headroom under 0.1 %; and, where origins are unknown, the parts "
                "ranked by how far each can move the share (the questions to send suppliers first)."),
    "library": ("remin.cli.library", "The parts library: supplier declarations and reviewers' overrides, kept "
                "with their full history in one SQLite file."),
    "materials": ("remin.cli.materials", "List the materials library: the names a BOM's `Material grade` column "
                  "may use, with their controlled-element content, class, Part I flag and source."),
    "notice": ("remin.cli.notice", "Render the compliance notice (MOFCOM No. 61 Art. 7) for the recipient of SKU, "
               "a SKU of BOM FILES that is above the threshold: the SKU, its Chinese-origin controlled content by "
               "element and part, the rule and its status on the date, and the licence requirement. The wording "
               "comes from an editable template."),
    "rules": ("remin.cli.rules", "The rule data: which instruments, elements and dates remin uses."),
    "serve": ("remin.cli.serve", "Run the web app: drag BOM exports into a page, see the verdict per SKU, the "
              "findings and a contributor chart, download the Excel report."),
    "template": ("remin.cli.library", "Blank templates to send to suppliers."),
}

for _name, (_module, _help) in COMMANDS.items():
    main.add_lazy_command(_name, _module, _help)
