"""The prefectural HQ tier (本部担当所属): receive station files, check, return, hold, aggregate.

Everything here is plain Python over the storage layer, shared by the CLI, the GUI and (later)
the NPA tier. ``desktop_app.hq.services.HqServices.open(ctx)`` builds the pieces for one data folder.
"""
