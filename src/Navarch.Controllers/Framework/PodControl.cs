using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.Client.Events;

namespace Navarch.Controllers.Framework;

/// <summary>
/// Creates pods from a template for an owner and deletes them, recording the events Kubernetes' controllers
/// record (SuccessfulCreate, FailedCreate, SuccessfulDelete, FailedDelete).
/// </summary>
public sealed class PodControl(IKubernetes client, IEventRecorder recorder)
{
    /// <summary>
    /// Creates a pod from <paramref name="template"/> in <paramref name="ns"/> owned by <paramref name="owner"/>;
    /// the name is <c>generateName</c> of the owner's name plus a dash unless <paramref name="name"/> is given.
    /// </summary>
    public async Task<V1Pod> CreateAsync(
        string ns,
        V1PodTemplateSpec template,
        IKubernetesObject<V1ObjectMeta> owner,
        V1OwnerReference controllerRef,
        CancellationToken cancellationToken,
        string? name = null,
        Action<V1Pod>? customize = null)
    {
        var pod = FromTemplate(template, controllerRef, owner.Metadata.Name, name);
        customize?.Invoke(pod);
        try
        {
            var created = await client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            recorder.Event(owner, EventTypes.Normal, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}");
            return created;
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            recorder.Event(owner, EventTypes.Warning, "FailedCreate", $"Error creating: {ErrorMessage(e)}");
            throw;
        }
    }

    public async Task DeleteAsync(V1Pod pod, IKubernetesObject<V1ObjectMeta> owner, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(
                pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            recorder.Event(owner, EventTypes.Normal, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Already gone: the goal is met.
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            recorder.Event(owner, EventTypes.Warning, "FailedDelete", $"Error deleting: {ErrorMessage(e)}");
            throw;
        }
    }

    /// <summary>A pod made from a template: labels, annotations, finalizers and spec copied, the controller reference set.</summary>
    public static V1Pod FromTemplate(V1PodTemplateSpec template, V1OwnerReference controllerRef, string ownerName, string? name = null)
    {
        // A deep copy through JSON: the template belongs to the owner in the informer cache and must not change.
        var spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(template.Spec));
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                GenerateName = name is null ? ownerName + "-" : null,
                Labels = template.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels) : null,
                Annotations = template.Metadata?.Annotations is { } annotations ? new Dictionary<string, string>(annotations) : null,
                Finalizers = template.Metadata?.Finalizers is { } finalizers ? [.. finalizers] : null,
                OwnerReferences = [controllerRef],
            },
            Spec = spec,
        };
    }

    private static string ErrorMessage(k8s.Autorest.HttpOperationException e)
    {
        try
        {
            using var document = JsonDocument.Parse(e.Response.Content);
            if (document.RootElement.TryGetProperty("message", out var message)) return message.GetString() ?? e.Message;
        }
        catch (JsonException)
        {
        }

        return e.Message;
    }
}
