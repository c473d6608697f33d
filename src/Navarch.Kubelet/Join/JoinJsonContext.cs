using System.Text.Json.Serialization;

namespace Navarch.Kubelet.Join;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(NodeCertificateRequest))]
[JsonSerializable(typeof(NodeCredentials))]
internal sealed partial class JoinJsonContext : JsonSerializerContext;
