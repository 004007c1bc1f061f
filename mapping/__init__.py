"""The mapping engine: pure functions from records and a mapping to a plan.

No I/O, no clock, no randomness, no database, no HTTP: a test checks that
nothing here imports such modules.

    document.py    the tenant's JSON document, loaded with admin-readable issues
    rules.py       field rules and their type options   (options.py reads them)
    presets.py     a new tenant's starting mapping, stage tables from pipelines
    validation.py  the document against live schemas   (schemas.py, coverage.py)
    compiler.py    a document compiled into per-pair read / merge / write
    assembly.py    the generated fast paths of the compiled pairs
    merge.py       the per-field three-way merge and its plan
    fields.py      one rule compiled: readers, writers, projection, JSON form
    text.py decimals.py dates.py enums.py stages.py booleans.py
                   the type transforms (codec.py: their shared shape)
    canonical.py   canonical values and their JSON form (snapshots, defaults)
    localtime.py   Genius local timestamps <-> UTC
    preview.py     one sample record through a mapping, for the editor
    problems.py    FieldError, Issue, MappingInvalid
"""
