using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Protobuf;

/// <summary>A decoded protobuf body: the envelope's group version and kind, and the object as JSON (with both set).</summary>
internal sealed record DecodedObject(string ApiVersion, string Kind, JsonObject Object);
