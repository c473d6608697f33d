using Navarch.ApiServer.Tests.Hosting;
using static Navarch.ApiServer.Tests.Admission.AdmissionJson;

namespace Navarch.ApiServer.Tests.Admission;

/// <summary>
/// The Priority admission plugin with a globalDefault PriorityClass: a server of its own, since the default class
/// changes what every later pod gets.
/// </summary>
public sealed class GlobalDefaultPriorityTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        // xunit runs this before every test of the class, on the one shared server: make the class only once.
        if ((await server.SendAsync(HttpMethod.Get, PriorityClasses + "/the-default")).Code == 404)
        {
            Assert.Equal(201, (await server.SendAsync(HttpMethod.Post, PriorityClasses, PriorityClass("the-default", 300, globalDefault: true))).Code);
        }

        // Pod admission reads classes from the watch cache, as upstream reads them from an informer; a consistent
        // list returns only once the cache holds every committed write, so the class is visible from here on.
        Assert.Equal(200, (await server.SendAsync(HttpMethod.Get, PriorityClasses)).Code);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task CreatePod_WithoutClass_GetsTheGlobalDefault()
    {
        var (code, pod) = await server.SendAsync(HttpMethod.Post, Pods, Pod("defaulted"));

        Assert.Equal(201, code);
        Assert.Equal(300, (int?)pod!["spec"]!["priority"]);
        Assert.Equal("the-default", (string?)pod["spec"]!["priorityClassName"]);
        Assert.Equal("PreemptLowerPriority", (string?)pod["spec"]!["preemptionPolicy"]);
    }

    [Fact]
    public async Task CreatePriorityClass_SecondGlobalDefault_IsForbidden()
    {
        var (code, status) = await server.SendAsync(HttpMethod.Post, PriorityClasses, PriorityClass("another-default", 400, globalDefault: true));

        Assert.Equal(403, code);
        Assert.Equal(
            "priorityclasses.scheduling.k8s.io \"another-default\" is forbidden: PriorityClass the-default is already marked as default. Only one default can exist",
            (string?)status!["message"]);
    }

    [Fact]
    public async Task UpdatePriorityClass_TheDefaultItself_IsAllowed()
    {
        var (_, current) = await server.SendAsync(HttpMethod.Get, PriorityClasses + "/the-default");
        current!["description"] = "still the default";

        var (code, updated) = await server.SendAsync(HttpMethod.Put, PriorityClasses + "/the-default", current.ToJsonString());

        Assert.Equal(200, code);
        Assert.Equal("still the default", (string?)updated!["description"]);
    }
}
