using k8s.Models;
using Navarch.Api.Scheduling;
using static Navarch.Api.Tests.Scheduling.NodeAffinityTestData;

namespace Navarch.Api.Tests.Scheduling;

public sealed class RequiredNodeAffinityTests
{
    private static readonly V1Node Node = Node("n", "zone", "a", "disk", "ssd");

    [Fact]
    public void Matches_NoConstraints_MatchesEveryNode()
    {
        Assert.True(RequiredNodeAffinity.Of(Pod()).Matches(Node));
        Assert.True(RequiredNodeAffinity.Of((V1PodSpec?)null).Matches(Node));
    }

    [Fact]
    public void Matches_NodeSelector_NeedsEveryLabel()
    {
        Assert.True(RequiredNodeAffinity.Of(Pod(new Dictionary<string, string> { ["zone"] = "a", ["disk"] = "ssd" })).Matches(Node));
        Assert.False(RequiredNodeAffinity.Of(Pod(new Dictionary<string, string> { ["zone"] = "b" })).Matches(Node));
        Assert.False(RequiredNodeAffinity.Of(Pod(new Dictionary<string, string> { ["gpu"] = "true" })).Matches(Node));
        Assert.False(RequiredNodeAffinity.Of(Pod(new Dictionary<string, string> { ["zone"] = "a" })).Matches(new V1Node { Metadata = new V1ObjectMeta { Name = "bare" } }));
    }

    [Fact]
    public void Matches_NodeSelectorAndAffinity_MustBothHold()
    {
        var selector = new Dictionary<string, string> { ["zone"] = "a" };

        Assert.True(RequiredNodeAffinity.Of(Pod(selector, [Term(Req("disk", "In", "ssd"))])).Matches(Node));
        Assert.False(RequiredNodeAffinity.Of(Pod(selector, [Term(Req("disk", "In", "hdd"))])).Matches(Node));
        Assert.False(RequiredNodeAffinity.Of(Pod(new Dictionary<string, string> { ["zone"] = "b" }, [Term(Req("disk", "In", "ssd"))])).Matches(Node));
    }

    [Fact]
    public void Matches_RequiredAffinityWithoutTerms_MatchesNothing()
    {
        // As nodeaffinity.NewLazyErrorNodeSelector: a required selector whose terms are all empty selects no node.
        Assert.False(RequiredNodeAffinity.Of(Pod(null, [new V1NodeSelectorTerm()])).Matches(Node));
        Assert.False(RequiredNodeAffinity.Of(Pod(null, [])).Matches(Node));
    }

    [Fact]
    public void Of_PodSpec_ReadsTheSameConstraintsAsThePod()
    {
        var pod = Pod(new Dictionary<string, string> { ["zone"] = "a" }, [FieldTerm(Req("metadata.name", "In", "other"))]);

        Assert.False(RequiredNodeAffinity.Of(pod.Spec).Matches(Node));
        Assert.True(RequiredNodeAffinity.Of(pod.Spec).Matches(Node("other", "zone", "a")));
    }
}
