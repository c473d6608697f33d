using k8s.Models;
using Navarch.Controllers.DaemonSet;

namespace Navarch.Controllers.Tests.DaemonSet;

public sealed class TemplateHashTests
{
    private static V1PodTemplateSpec Template(string image, params (string Key, string Value)[] labels) => new()
    {
        Metadata = new V1ObjectMeta { Labels = labels.ToDictionary(l => l.Key, l => l.Value) },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = image }] },
    };

    [Fact]
    public void Compute_SameTemplateWithLabelsInOtherOrder_SameHash()
    {
        var a = TemplateHash.Compute(Template("nginx:1", ("a", "1"), ("b", "2")), null);
        var b = TemplateHash.Compute(Template("nginx:1", ("b", "2"), ("a", "1")), null);

        Assert.Equal(a, b);
    }

    [Fact]
    public void Compute_ChangedImageOrCollisionCount_ChangesHash()
    {
        var original = TemplateHash.Compute(Template("nginx:1"), null);

        Assert.NotEqual(original, TemplateHash.Compute(Template("nginx:2"), null));
        Assert.NotEqual(original, TemplateHash.Compute(Template("nginx:1"), 1));
    }

    [Fact]
    public void Compute_UsesOnlySafeCharacters()
    {
        var hash = TemplateHash.Compute(Template("nginx:1"), null);

        Assert.Matches("^[bcdfghjklmnpqrstvwxz2456789]{1,10}$", hash);
    }
}
