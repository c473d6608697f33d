using k8s.Models;

namespace Navarch.ApiServer.Admission.Priority;

/// <summary>Reads PriorityClasses for the Priority admission plugin, as its lister does in kube-apiserver.</summary>
public interface IPriorityClassLister
{
    /// <summary>The class named <paramref name="name"/>, or null when there is none.</summary>
    ValueTask<V1PriorityClass?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Every class. With <paramref name="consistent"/> the list includes every write committed before the call;
    /// without it the list may lag a moment behind, as an informer's does.
    /// </summary>
    ValueTask<IReadOnlyList<V1PriorityClass>> ListAsync(bool consistent, CancellationToken cancellationToken);
}
