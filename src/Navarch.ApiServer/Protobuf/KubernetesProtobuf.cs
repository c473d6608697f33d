namespace Navarch.ApiServer.Protobuf;

/// <summary>
/// Kubernetes' protobuf request bodies (<c>application/vnd.kubernetes.protobuf</c>), which kubectl's typed clients send
/// for <c>kubectl create deployment|job|service|...</c> and do not retry as JSON. We decode them to the JSON the same
/// client would have sent, so everything after the body parser sees JSON only.
/// </summary>
internal static class KubernetesProtobuf
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    // The schema is immutable once loaded; loading it once per process is a cache, not shared mutable state.
    private static readonly Lazy<ProtoJsonDecoder> Decoder = new(() => new ProtoJsonDecoder(KubernetesSchema.LoadEmbedded()));

    /// <summary>Whether a media type (parameters allowed, any case) is Kubernetes' protobuf encoding.</summary>
    public static bool IsProtobuf(string? mediaType)
    {
        if (string.IsNullOrEmpty(mediaType))
        {
            return false;
        }

        var semi = mediaType.IndexOf(';', StringComparison.Ordinal);
        var bare = (semi < 0 ? mediaType : mediaType[..semi]).Trim();
        return string.Equals(bare, MediaType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Decodes a protobuf body (<c>k8s\0</c> + runtime.Unknown) into the object as JSON, with apiVersion and kind set.
    /// </summary>
    /// <exception cref="ProtobufFormatException">The body is malformed or its kind has no known message.</exception>
    public static DecodedObject DecodeToJson(ReadOnlySpan<byte> body) => Decoder.Value.DecodeEnvelope(body, 0);
}
