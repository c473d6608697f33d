using System.Text.Json.Nodes;
using Navarch.ApiServer.Tests.Hosting;
using static Navarch.ApiServer.Tests.Admission.AdmissionJson;

namespace Navarch.ApiServer.Tests.Admission;

/// <summary>The Priority admission plugin over HTTPS, on a server with no globalDefault class.</summary>
public sealed class PriorityAdmissionTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    [Fact]
    public async Task CreatePod_WithPriorityClassName_TakesValueAndPolicyFromTheClass()
    {
        Assert.Equal(201, (await server.SendAsync(HttpMethod.Post, PriorityClasses, PriorityClass("resolved", 1000, preemptionPolicy: "Never"))).Code);

        var (code, pod) = await server.SendAsync(HttpMethod.Post, Pods, Pod("resolved", "\"priorityClassName\":\"resolved\""));

        Assert.Equal(201, code);
        Assert.Equal(1000, (int?)pod!["spec"]!["priority"]);
        Assert.Equal("Never", (string?)pod["spec"]!["preemptionPolicy"]);
        Assert.Equal("resolved", (string?)pod["spec"]!["priorityClassName"]);
    }

    [Fact]
    public async Task CreatePod_WithoutClassAndNoGlobalDefault_GetsPriorityZero()
    {
        var (code, pod) = await server.SendAsync(HttpMethod.Post, Pods, Pod("plain"));

        Assert.Equal(201, code);
        Assert.Equal(0, (int?)pod!["spec"]!["priority"]);
        Assert.Equal("PreemptLowerPriority", (string?)pod["spec"]!["preemptionPolicy"]);
        Assert.Null(pod["spec"]!["priorityClassName"]);
    }

    [Fact]
    public async Task CreatePod_WithSystemClass_GetsItsValue()
    {
        var (code, pod) = await server.SendAsync(HttpMethod.Post, Pods, Pod("critical", "\"priorityClassName\":\"system-node-critical\""));

        Assert.Equal(201, code);
        Assert.Equal(2000001000, (int?)pod!["spec"]!["priority"]);
    }

    [Fact]
    public async Task CreatePod_WithUnknownClass_IsForbidden()
    {
        var (code, status) = await server.SendAsync(HttpMethod.Post, Pods, Pod("lost", "\"priorityClassName\":\"nowhere\""));

        Assert.Equal(403, code);
        Assert.Equal("Forbidden", (string?)status!["reason"]);
        Assert.Equal("pods \"lost\" is forbidden: no PriorityClass with name nowhere was found", (string?)status["message"]);
        Assert.Equal(404, (await server.SendAsync(HttpMethod.Get, Pods + "/lost")).Code);
    }

    [Fact]
    public async Task CreatePod_WithPriorityDifferentFromTheClass_IsForbidden()
    {
        Assert.Equal(201, (await server.SendAsync(HttpMethod.Post, PriorityClasses, PriorityClass("mismatch", 50))).Code);

        var (code, status) = await server.SendAsync(HttpMethod.Post, Pods, Pod("mismatch", "\"priorityClassName\":\"mismatch\",\"priority\":7"));

        Assert.Equal(403, code);
        Assert.Equal(
            "pods \"mismatch\" is forbidden: the integer value of priority (7) must not be provided in pod spec; "
            + "priority admission controller computed 50 from the given PriorityClass name",
            (string?)status!["message"]);
    }

    [Fact]
    public async Task CreatePod_WithPriorityEqualToTheClass_IsAccepted()
    {
        Assert.Equal(201, (await server.SendAsync(HttpMethod.Post, PriorityClasses, PriorityClass("equal", 60))).Code);

        var (code, pod) = await server.SendAsync(HttpMethod.Post, Pods, Pod("equal", "\"priorityClassName\":\"equal\",\"priority\":60"));

        Assert.Equal(201, code);
        Assert.Equal(60, (int?)pod!["spec"]!["priority"]);
    }

    [Fact]
    public async Task UpdatePod_WithoutPriority_KeepsTheStoredPriority()
    {
        Assert.Equal(201, (await server.SendAsync(HttpMethod.Post, PriorityClasses, PriorityClass("kept", 700))).Code);
        var (_, created) = await server.SendAsync(HttpMethod.Post, Pods, Pod("kept", "\"priorityClassName\":\"kept\""));
        var spec = created!["spec"]!.AsObject();
        spec.Remove("priority");
        spec.Remove("preemptionPolicy");
        created["metadata"]!["labels"] = new JsonObject { ["touched"] = "yes" };

        var (code, updated) = await server.SendAsync(HttpMethod.Put, Pods + "/kept", created.ToJsonString());

        Assert.Equal(200, code);
        Assert.Equal(700, (int?)updated!["spec"]!["priority"]);
        Assert.Equal("yes", (string?)updated["metadata"]!["labels"]!["touched"]);
    }

    [Theory]
    [InlineData("system-cluster-critical", 2000000000)]
    [InlineData("system-node-critical", 2000001000)]
    public async Task Start_CreatesSystemPriorityClasses(string name, int value)
    {
        var (code, pc) = await server.SendAsync(HttpMethod.Get, PriorityClasses + "/" + name);

        Assert.Equal(200, code);
        Assert.Equal(value, (int?)pc!["value"]);
        Assert.Equal("PreemptLowerPriority", (string?)pc["preemptionPolicy"]);
        Assert.StartsWith("Used for system critical pods that must", (string?)pc["description"]);
    }

    [Fact]
    public async Task CreatePriorityClass_WithSystemPrefix_IsRejected()
    {
        var (code, status) = await server.SendAsync(HttpMethod.Post, PriorityClasses, PriorityClass("system-mine", 10));

        Assert.Equal(422, code);
        Assert.Contains("priority class names with 'system-' prefix are reserved for system use only", (string?)status!["message"]);
    }
}
