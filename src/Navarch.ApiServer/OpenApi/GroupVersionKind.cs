using System.Text.Json.Nodes;

namespace Navarch.ApiServer.OpenApi;

/// <summary>A group/version/kind as the <c>x-kubernetes-group-version-kind</c> extension writes it.</summary>
internal sealed record GroupVersionKind(string Group, string Version, string Kind)
{
    public JsonObject ToJson() => new() { ["group"] = Group, ["kind"] = Kind, ["version"] = Version };
}
