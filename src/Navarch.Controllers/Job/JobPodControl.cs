using System.Globalization;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.Job;

/// <summary>
/// The Job controller's writes to pods: creating them from the template with the Job's labels, tracking finalizer
/// and (Indexed mode) completion index, removing the tracking finalizer, and deleting pods without counting them.
/// </summary>
internal sealed class JobPodControl(IKubernetes client, PodControl pods)
{
    public Task<V1Pod> CreateAsync(V1Job job, int? index, CancellationToken cancellationToken)
    {
        var controllerRef = OwnerReferences.ControllerRef(job, "batch/v1", "Job");
        return pods.CreateAsync(job.Metadata.NamespaceProperty, job.Spec.Template, job, controllerRef, cancellationToken,
            customize: pod => Customize(pod, job, index));
    }

    /// <summary>What the Job controller adds to every pod it makes (and, for an index, what Indexed mode adds).</summary>
    internal static void Customize(V1Pod pod, V1Job job, int? index)
    {
        var meta = pod.Metadata;
        var labels = meta.Labels ??= new Dictionary<string, string>();
        labels.TryAdd(JobLabels.ControllerUid, job.Metadata.Uid);
        labels.TryAdd(JobLabels.LegacyControllerUid, job.Metadata.Uid);
        labels.TryAdd(JobLabels.JobName, job.Metadata.Name);
        labels.TryAdd(JobLabels.LegacyJobName, job.Metadata.Name);
        var finalizers = meta.Finalizers ??= [];
        if (!finalizers.Contains(JobLabels.TrackingFinalizer))
        {
            finalizers.Add(JobLabels.TrackingFinalizer);
        }

        if (index is not { } i)
        {
            return;
        }

        var text = i.ToString(CultureInfo.InvariantCulture);
        (meta.Annotations ??= new Dictionary<string, string>())[JobLabels.CompletionIndex] = text;
        labels[JobLabels.CompletionIndex] = text;
        meta.GenerateName = $"{job.Metadata.Name}-{text}-";
        if (string.IsNullOrEmpty(pod.Spec.Hostname))
        {
            pod.Spec.Hostname = $"{job.Metadata.Name}-{text}";
        }

        foreach (var container in (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []))
        {
            var env = container.Env ??= [];
            if (env.Any(e => e.Name == JobLabels.CompletionIndexEnv))
            {
                continue;
            }

            env.Add(new V1EnvVar
            {
                Name = JobLabels.CompletionIndexEnv,
                ValueFrom = new V1EnvVarSource
                {
                    FieldRef = new V1ObjectFieldSelector { FieldPath = $"metadata.annotations['{JobLabels.CompletionIndex}']" },
                },
            });
        }
    }

    /// <summary>The completion index of an Indexed Job's pod, or null when it has none or a malformed one.</summary>
    public static int? IndexOf(V1Pod pod, int completions)
    {
        if (pod.Metadata.Annotations?.TryGetValue(JobLabels.CompletionIndex, out var text) == true
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && index < completions)
        {
            return index;
        }

        return null;
    }

    public static bool HasFinalizer(V1Pod pod) => pod.Metadata.Finalizers?.Contains(JobLabels.TrackingFinalizer) == true;

    /// <summary>Removes the tracking finalizer; a pod that is gone already counts as done.</summary>
    public async Task RemoveFinalizerAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var position = pod.Metadata.Finalizers?.IndexOf(JobLabels.TrackingFinalizer) ?? -1;
        if (position < 0)
        {
            return;
        }

        // A JSON patch that tests the position first, so a concurrent change to the list fails instead of removing
        // someone else's finalizer; the sync then retries with a fresh cache.
        var path = $"/metadata/finalizers/{position}";
        var patch = JsonSerializer.Serialize(new object[]
        {
            new Dictionary<string, string> { ["op"] = "test", ["path"] = path, ["value"] = JobLabels.TrackingFinalizer },
            new Dictionary<string, string> { ["op"] = "remove", ["path"] = path },
        });
        try
        {
            await client.CoreV1.PatchNamespacedPodAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch),
                pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>
    /// Deletes a pod the controller no longer wants, taking its finalizer off first so it is not counted as a
    /// failure, as Kubernetes' deleteJobPods.
    /// </summary>
    public async Task DeleteAsync(V1Pod pod, V1Job job, CancellationToken cancellationToken)
    {
        await RemoveFinalizerAsync(pod, cancellationToken).ConfigureAwait(false);
        if (pod.Metadata.DeletionTimestamp is null)
        {
            await pods.DeleteAsync(pod, job, cancellationToken).ConfigureAwait(false);
        }
    }
}
