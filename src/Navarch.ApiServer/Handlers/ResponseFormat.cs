namespace Navarch.ApiServer.Handlers;

/// <summary>The representation a client asked for through its Accept header.</summary>
public enum ResponseFormat
{
    /// <summary>The object (or list) itself, as JSON.</summary>
    Json,

    /// <summary>A meta.k8s.io/v1 Table, for kubectl's server-side printing.</summary>
    Table,

    /// <summary>meta.k8s.io/v1 PartialObjectMetadata(List): metadata only.</summary>
    PartialObjectMetadata,
}
