namespace Navarch.Storage.Sqlite;

internal enum WriteKind
{
    Create,
    Update,
    Delete,
    Compact,
}

/// <summary>One queued write; only the writer loop completes it, so a cancelled task was never applied.</summary>
internal sealed class WriteRequest(WriteKind kind, string key, byte[] value, long revision, CancellationToken cancellationToken)
{
    public WriteKind Kind { get; } = kind;

    public string Key { get; } = key;

    public byte[] Value { get; } = value;

    /// <summary>The expected mod revision (update, delete) or the compaction revision.</summary>
    public long Revision { get; } = revision;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public TaskCompletionSource<WriteResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set by the writer inside the transaction, delivered once the transaction committed.</summary>
    public WriteResult? Result { get; set; }
}
