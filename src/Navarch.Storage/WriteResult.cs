namespace Navarch.Storage;

/// <summary>
/// The outcome of a conditional write. On success <see cref="Current"/> is the key as written
/// (null after a delete) and <see cref="Revision"/> is the revision of the write. On failure nothing
/// was written, <see cref="Current"/> is what the key holds now (null when absent) and
/// <see cref="Revision"/> is the store's current revision.
/// </summary>
public sealed record WriteResult(bool Succeeded, KeyValue? Current, long Revision);
