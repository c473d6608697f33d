using System.Text.Json.Serialization;

namespace Navarch.ApiServer.Handlers;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ContinueToken.Payload))]
internal sealed partial class ContinueTokenJson : JsonSerializerContext;
