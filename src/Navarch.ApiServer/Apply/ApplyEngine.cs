using System.Text.Json.Nodes;
using Navarch.Api.Patching;

namespace Navarch.ApiServer.Apply;

/// <summary>
/// The apply and ownership logic behind <see cref="ServerSideApply"/> and <see cref="ManagedFieldsTracker"/>, bound to
/// one source of list shapes.
/// </summary>
internal sealed class ApplyEngine
{
    private readonly ModelSchema _schema;
    private readonly FieldSetExtractor _extractor;
    private readonly ObjectComparer _comparer;
    private readonly ObjectMerger _merger;

    public ApplyEngine(IListKeys listKeys)
    {
        _schema = new ModelSchema(listKeys);
        _extractor = new FieldSetExtractor(_schema);
        _comparer = new ObjectComparer(_schema, _extractor);
        _merger = new ObjectMerger(_schema);
    }

    /// <summary>
    /// The engine for the built-in kinds. Shared because it holds only facts about immutable model types (a reflection
    /// cache filled on first use); it carries no request state.
    /// </summary>
    public static ApplyEngine Default { get; } = new(new KnownListKeys(PatchMetadata.Default));

    /// <summary>See <see cref="ServerSideApply.Apply"/>.</summary>
    public ApplyResult Apply(JsonObject? live, JsonObject applied, string manager, bool force, Type? modelType, DateTimeOffset now)
    {
        var root = _schema.Root(modelType);
        var config = (JsonObject)applied.DeepClone();
        RemoveServerOwnedFields(config);
        var appliedSet = ManagedFieldsPolicy.Owned(_extractor.Extract(config, root), subresource: null);
        var apiVersion = applied["apiVersion"]?.GetValue<string>();
        var entry = new ManagedFieldsEntry(
            manager, ManagedFieldsEntry.ApplyOperation, apiVersion, ManagedFieldsEntry.FormatTime(now), null, appliedSet);

        if (live is null)
        {
            // On create the configuration is the object: nobody else owns anything, nothing can conflict.
            var created = (JsonObject)applied.DeepClone();
            ManagedFieldsEntry.WriteAll(created, [entry]);
            return ApplyResult.Success(created);
        }

        var managers = ManagedFieldsEntry.ReadAll(live);
        if (managers.Count == 0)
        {
            managers.Add(new ManagedFieldsEntry(
                ServerSideApply.BeforeFirstApplyManager, ManagedFieldsEntry.UpdateOperation, live["apiVersion"]?.GetValue<string>(), null, null,
                ManagedFieldsPolicy.Owned(_extractor.Extract(StripManagedFields(live), root), subresource: null)));
        }

        var previous = managers.FirstOrDefault(m => m.IsSameManager(manager, ManagedFieldsEntry.ApplyOperation, apiVersion, null));
        var others = managers.Where(m => !ReferenceEquals(m, previous)).ToList();

        var merged = (JsonObject)_merger.Merge(live, config, root)!; // two objects merge into an object
        if (previous is not null)
        {
            Prune(merged, root, previous.Fields.Except(appliedSet), appliedSet, others);
        }

        var comparison = _comparer.Compare(live, merged, root);
        var changed = ManagedFieldsPolicy.Owned(comparison.Changed, subresource: null);
        var conflicts = others
            .SelectMany(m => m.Fields.Intersect(changed).Paths.Select(p => new ApplyConflict(m.DisplayName, p)))
            .OrderBy(c => c.Manager, StringComparer.Ordinal)
            .ThenBy(c => c.Path)
            .ToList();
        if (conflicts.Count > 0 && !force)
        {
            return ApplyResult.Conflicted(conflicts);
        }

        // Forced (or free) changes move ownership to the applier; removed fields are owned by nobody.
        var updated = others
            .Select(m => m with { Fields = m.Fields.Except(changed).Except(comparison.Removed) })
            .Append(entry)
            .ToList();
        ManagedFieldsEntry.WriteAll(merged, updated);
        return ApplyResult.Success(merged);
    }

    /// <summary>
    /// Removes what the applier owned last time and dropped now, unless another manager still owns it (then it is only
    /// released) or something below it is still owned by anyone (then only the unowned parts go).
    /// </summary>
    private void Prune(JsonObject merged, SchemaNode root, FieldSet dropped, FieldSet appliedSet, List<ManagedFieldsEntry> others)
    {
        var keep = others.Aggregate(appliedSet, (all, m) => all.Union(m.Fields));
        var removed = new List<FieldPath>();
        foreach (var path in dropped.Paths)
        {
            if (keep.Contains(path) || keep.HasDescendantOf(path) || removed.Any(path.StartsWith) || IsKeyOfKeptItem(path))
            {
                continue;
            }

            if (_merger.Remove(merged, root, path))
            {
                removed.Add(path);
            }
        }
    }

    /// <summary>
    /// A key field (e.g. a container's <c>name</c>) of a list item: it goes only with its whole item, never alone, or
    /// the kept item could no longer be told apart. Items being removed were handled before their fields.
    /// </summary>
    private static bool IsKeyOfKeptItem(FieldPath path) =>
        path.Length >= 2 && path.Last.Kind == PathElementKind.Field && path.Parent.Last.Kind == PathElementKind.Key
        && path.Parent.Last.KeyFields().Any(k => k.Key == path.Last.FieldName);

    /// <summary>Fields the server sets that an apply must not overwrite: they keep their live values.</summary>
    private static void RemoveServerOwnedFields(JsonObject config)
    {
        config.Remove("status");
        if (config["metadata"] is JsonObject metadata)
        {
            foreach (var name in ManagedFieldsPolicy.ServerOwnedMetadata)
            {
                metadata.Remove(name);
            }
        }
    }

    private static JsonObject StripManagedFields(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    public ModelSchema Schema => _schema;

    public ObjectComparer Comparer => _comparer;
}
