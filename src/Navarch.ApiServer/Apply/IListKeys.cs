namespace Navarch.ApiServer.Apply;

/// <summary>
/// Tells, for a list field of a model type, whether it is atomic, a set, or a map keyed by merge keys. A seam so the
/// apply engine does not care where the facts come from (a table of Kubernetes' list-map-keys, the shared patch
/// metadata, a CRD's schema).
/// </summary>
internal interface IListKeys
{
    /// <summary>The shape of <paramref name="jsonField"/> on <paramref name="modelType"/>, or null when unknown (atomic).</summary>
    ListShape? Lookup(Type modelType, string jsonField);
}
