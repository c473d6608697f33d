using k8s.Models;

namespace Navarch.ApiServer.Admission.DefaultTolerationSeconds;

/// <summary>
/// kube-apiserver's <c>DefaultTolerationSeconds</c> admission plugin: a pod that does not tolerate the
/// <c>not-ready</c> or <c>unreachable</c> NoExecute taints gets a toleration for each that lasts five minutes, so the
/// taint-eviction controller moves it off a lost node after that long rather than at once.
/// </summary>
internal sealed class DefaultTolerationSecondsAdmission : IMutatingAdmission
{
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";
    public const long DefaultSeconds = 300;

    public string Name => "DefaultTolerationSeconds";

    public ValueTask AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (!request.IsMain("", "pods") || request.Object is not V1Pod pod)
        {
            return ValueTask.CompletedTask;
        }

        pod.Spec ??= new V1PodSpec();
        var notReady = false;
        var unreachable = false;
        foreach (var toleration in pod.Spec.Tolerations ?? [])
        {
            // An empty key tolerates every taint and an empty effect every effect, so either already covers the taint.
            if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != "NoExecute")
            {
                continue;
            }

            notReady |= string.IsNullOrEmpty(toleration.Key) || toleration.Key == NotReadyTaint;
            unreachable |= string.IsNullOrEmpty(toleration.Key) || toleration.Key == UnreachableTaint;
        }

        if (!notReady)
        {
            Add(pod.Spec, NotReadyTaint);
        }

        if (!unreachable)
        {
            Add(pod.Spec, UnreachableTaint);
        }

        return ValueTask.CompletedTask;
    }

    private static void Add(V1PodSpec spec, string taint)
    {
        spec.Tolerations ??= new List<V1Toleration>();
        spec.Tolerations.Add(new V1Toleration
        {
            Key = taint,
            OperatorProperty = "Exists",
            Effect = "NoExecute",
            TolerationSeconds = DefaultSeconds,
        });
    }
}
