using System.Text;

namespace Navarch.Scheduler.Core;

/// <summary>
/// No node fits the pod. <see cref="Message"/> is kube-scheduler's FitError text, which users read in the
/// FailedScheduling event and the PodScheduled condition:
/// "0/3 nodes are available: 1 node(s) had untolerated taint {...}, 2 Insufficient cpu. preemption: ...".
/// </summary>
public sealed class FitError(int numAllNodes, Diagnosis diagnosis)
{
    public const string NoNodeAvailableFormat = "0/{0} nodes are available";

    public int NumAllNodes { get; } = numAllNodes;

    public Diagnosis Diagnosis { get; } = diagnosis;

    /// <summary>
    /// "0/N nodes are available:" then the PreFilter message, or else each reason with the number of nodes that
    /// gave it ("2 Insufficient cpu"), sorted as strings and joined by ", "; nodes a PreFilter result excluded count
    /// with the absent-node status. The PostFilter message follows as is (it carries its own final period).
    /// </summary>
    public string Message
    {
        get
        {
            var text = new StringBuilder();
            text.Append("0/").Append(NumAllNodes).Append(" nodes are available:");
            var nodeToStatus = Diagnosis.NodeToStatus;
            if (Diagnosis.PreFilterMsg.Length > 0)
            {
                text.Append(' ').Append(Diagnosis.PreFilterMsg).Append('.');
            }
            else
            {
                Dictionary<string, int> reasons = new(StringComparer.Ordinal);
                foreach (var (_, status) in nodeToStatus.Entries)
                {
                    foreach (var reason in status.Reasons) reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                }

                if (nodeToStatus.Count < NumAllNodes)
                {
                    foreach (var reason in nodeToStatus.AbsentNodesStatus.Reasons)
                    {
                        reasons[reason] = reasons.GetValueOrDefault(reason) + (NumAllNodes - nodeToStatus.Count);
                    }
                }

                if (reasons.Count > 0)
                {
                    var histogram = new List<string>(reasons.Count);
                    foreach (var (reason, count) in reasons) histogram.Add($"{count} {reason}");
                    histogram.Sort(StringComparer.Ordinal);
                    text.Append(' ').AppendJoin(", ", histogram).Append('.');
                }
            }

            if (Diagnosis.PostFilterMsg.Length > 0) text.Append(' ').Append(Diagnosis.PostFilterMsg);
            return text.ToString();
        }
    }

    public override string ToString() => Message;
}
