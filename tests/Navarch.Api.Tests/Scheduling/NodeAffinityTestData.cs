using k8s.Models;

namespace Navarch.Api.Tests.Scheduling;

/// <summary>Builders for nodes, pods and node selector terms shared by the node affinity tests.</summary>
internal static class NodeAffinityTestData
{
    public static V1Node Node(string name, params string[] labelPairs)
    {
        var labels = new Dictionary<string, string>();
        for (var i = 0; i < labelPairs.Length; i += 2) labels[labelPairs[i]] = labelPairs[i + 1];
        return new V1Node { Metadata = new V1ObjectMeta { Name = name, Labels = labels } };
    }

    public static V1NodeSelectorRequirement Req(string key, string op, params string[] values) =>
        new() { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values };

    public static V1NodeSelectorTerm Term(params V1NodeSelectorRequirement[] expressions) => new() { MatchExpressions = expressions };

    public static V1NodeSelectorTerm FieldTerm(params V1NodeSelectorRequirement[] fields) => new() { MatchFields = fields };

    public static V1Pod Pod(IDictionary<string, string>? nodeSelector = null, V1NodeSelectorTerm[]? required = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p" },
        Spec = new V1PodSpec
        {
            NodeSelector = nodeSelector,
            Affinity = required is null
                ? null
                : new V1Affinity
                {
                    NodeAffinity = new V1NodeAffinity
                    {
                        RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = required },
                    },
                },
        },
    };
}
