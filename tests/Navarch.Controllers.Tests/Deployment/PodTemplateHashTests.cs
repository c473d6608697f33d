using System.Text;
using k8s.Models;
using Navarch.Controllers.Deployment;

namespace Navarch.Controllers.Tests.Deployment;

public sealed class PodTemplateHashTests
{
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    // Our serialization's hash of Template("nginx:1", app=web); see Compute_IsStableAcrossProcesses.
    private const string PinnedHash = "75f67448f4";

    private static V1PodTemplateSpec Template(string image, params (string Key, string Value)[] labels) => new()
    {
        Metadata = new V1ObjectMeta { Labels = labels.ToDictionary(l => l.Key, l => l.Value) },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = image }] },
    };

    [Fact]
    public void Compute_LabelsInAnotherOrder_GivesTheSameHash()
    {
        var a = Template("nginx:1", ("app", "web"), ("tier", "front"));
        var b = Template("nginx:1", ("tier", "front"), ("app", "web"));

        Assert.Equal(PodTemplateHash.Compute(a, null), PodTemplateHash.Compute(b, null));
    }

    [Fact]
    public void Compute_IsStableAcrossProcesses()
    {
        // Pinned: a changed value would rename every ReplicaSet after an upgrade and start rollouts.
        Assert.Equal(PinnedHash, PodTemplateHash.Compute(Template("nginx:1", ("app", "web")), null));
    }

    [Fact]
    public void Compute_UsesOnlyTheSafeAlphabet()
    {
        var hash = PodTemplateHash.Compute(Template("nginx:1", ("app", "web")), 3);

        Assert.NotEmpty(hash);
        Assert.All(hash, c => Assert.Contains(c, Alphabet));
    }

    [Fact]
    public void Compute_TemplateOrCollisionCountChanges_ChangesTheHash()
    {
        var template = Template("nginx:1", ("app", "web"));
        var plain = PodTemplateHash.Compute(template, null);

        Assert.NotEqual(plain, PodTemplateHash.Compute(Template("nginx:2", ("app", "web")), null));
        Assert.NotEqual(plain, PodTemplateHash.Compute(template, 1));
        Assert.NotEqual(PodTemplateHash.Compute(template, 1), PodTemplateHash.Compute(template, 2));
    }

    [Fact]
    public void SafeEncode_MapsDigitsAsUpstream()
    {
        // rand.SafeEncodeString maps each byte b to alphabet[b % 27]; '0' is 48.
        Assert.Equal("456789bcdf", PodTemplateHash.SafeEncode("0123456789"));
    }

    [Fact]
    public void Fnv32a_MatchesTheReferenceVectors()
    {
        Assert.Equal(0x811c9dc5u, PodTemplateHash.Fnv32a(2166136261u, []));
        Assert.Equal(0xe40c292cu, PodTemplateHash.Fnv32a(2166136261u, Encoding.ASCII.GetBytes("a")));
        Assert.Equal(0xbf9cf968u, PodTemplateHash.Fnv32a(2166136261u, Encoding.ASCII.GetBytes("foobar")));
    }

    [Fact]
    public void EqualIgnoreHash_IgnoresOnlyThePodTemplateHashLabel()
    {
        var deployment = Template("nginx:1", ("app", "web"));
        var replicaSet = Template("nginx:1", ("app", "web"), (PodTemplateHash.LabelKey, "abc"));

        Assert.True(PodTemplateHash.EqualIgnoreHash(deployment, replicaSet));
        Assert.False(PodTemplateHash.EqualIgnoreHash(Template("nginx:2", ("app", "web")), replicaSet));
        Assert.False(PodTemplateHash.EqualIgnoreHash(Template("nginx:1", ("app", "web"), ("x", "y")), replicaSet));
        // The caller's template is left alone.
        Assert.True(replicaSet.Metadata.Labels.ContainsKey(PodTemplateHash.LabelKey));
    }

    [Fact]
    public void EqualIgnoreHash_EmptyAndMissingAnnotations_AreEqual()
    {
        var a = Template("nginx:1", ("app", "web"));
        var b = Template("nginx:1", ("app", "web"));
        b.Metadata.Annotations = new Dictionary<string, string>();

        Assert.True(PodTemplateHash.EqualIgnoreHash(a, b));
    }
}
