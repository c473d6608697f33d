using System.Text.Json.Nodes;
using Navarch.ApiServer.Apply;

namespace Navarch.ApiServer.Tests.Apply;

/// <summary>Helpers shared by the apply tests: JSON literals and reading managedFields back.</summary>
internal static class ApplyTestData
{
    public static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset T1 = T0.AddMinutes(5);

    public static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    public static JsonObject Deployment(int replicas, string image = "nginx:1.25", string? extraContainer = null)
    {
        var containers = new JsonArray { new JsonObject { ["name"] = "nginx", ["image"] = image } };
        if (extraContainer is not null)
        {
            containers.Add(new JsonObject { ["name"] = extraContainer, ["image"] = extraContainer + ":1" });
        }

        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "default" },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["template"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = containers } },
            },
        };
    }

    public static ManagedFieldsEntry Entry(JsonObject obj, string manager, string operation = "Apply") =>
        ManagedFieldsEntry.ReadAll(obj).Single(e => e.Manager == manager && e.Operation == operation);

    /// <summary>The manager's fields in FieldsV1 JSON, for compact assertions.</summary>
    public static string Fields(JsonObject obj, string manager, string operation = "Apply") =>
        Entry(obj, manager, operation).Fields.ToString();

    public static JsonObject Success(ApplyResult result)
    {
        Assert.False(result.HasConflicts, result.HasConflicts ? result.ConflictMessage : "");
        return result.Object!; // no conflicts means an object
    }
}
