namespace Navarch.ApiServer.Watch;

/// <summary>
/// One object as the watch cache holds it: its JSON (with resourceVersion set) and the attributes that label
/// and field selectors read, so filtering never decodes the object again.
/// </summary>
public sealed record CachedObject(
    string Key,
    string Namespace,
    string Name,
    IReadOnlyDictionary<string, string>? Labels,
    IReadOnlyDictionary<string, string> Fields,
    byte[] Json,
    long Revision);
