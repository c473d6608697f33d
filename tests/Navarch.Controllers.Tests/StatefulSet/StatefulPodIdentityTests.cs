using k8s.Models;
using Navarch.Controllers.StatefulSet;

namespace Navarch.Controllers.Tests.StatefulSet;

public sealed class StatefulPodIdentityTests
{
    [Theory]
    [InlineData("web", "web-0", 0)]
    [InlineData("web", "web-12", 12)]
    [InlineData("web", "web-", -1)]
    [InlineData("web", "web-1a", -1)]
    [InlineData("web", "webx-1", -1)]
    [InlineData("web", "other-1", -1)]
    [InlineData("web-1", "web-1-3", 3)]
    public void Ordinal_ParsesOnlyOwnNames(string set, string pod, int expected) =>
        Assert.Equal(expected, StatefulPodIdentity.Ordinal(set, pod));

    [Fact]
    public void NewPod_HasStableIdentity()
    {
        var set = new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "web", Uid = "uid-1" },
            Spec = new V1StatefulSetSpec { ServiceName = "nginx" },
        };
        var template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx" }] },
        };

        var pod = StatefulPodIdentity.NewPod(set, template, "web-abc", 2);

        Assert.Equal("web-2", pod.Metadata.Name);
        Assert.Null(pod.Metadata.GenerateName);
        Assert.Equal("web-2", pod.Metadata.Labels[StatefulPodIdentity.PodNameLabel]);
        Assert.Equal("2", pod.Metadata.Labels[StatefulPodIdentity.PodIndexLabel]);
        Assert.Equal("web-abc", pod.Metadata.Labels[StatefulPodIdentity.RevisionLabel]);
        Assert.Equal("web", pod.Metadata.Labels["app"]);
        Assert.Equal("web-2", pod.Spec.Hostname);
        Assert.Equal("nginx", pod.Spec.Subdomain);
        var owner = Assert.Single(pod.Metadata.OwnerReferences);
        Assert.Equal(("apps/v1", "StatefulSet", "uid-1", true), (owner.ApiVersion, owner.Kind, owner.Uid, owner.Controller == true));
        Assert.False(template.Metadata.Labels.ContainsKey(StatefulPodIdentity.PodNameLabel));
    }
}
