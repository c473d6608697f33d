using System.Text.Json.Serialization;

namespace Navarch.ApiServer.NodeJoin;

/// <summary>Source-generated JSON for the join endpoint: camelCase names, no reflection per request.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(NodeCertificateRequest))]
[JsonSerializable(typeof(NodeCertificateResponse))]
internal sealed partial class NodeJoinJsonContext : JsonSerializerContext;
