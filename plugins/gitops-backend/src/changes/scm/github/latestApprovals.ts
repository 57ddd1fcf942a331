/** One pull request review, as `GET /repos/{owner}/{repo}/pulls/{number}/reviews` lists it. */
export interface PullRequestReview {
  user: { login: string } | null;
  state: string;
  submitted_at?: string | null;
  /** The reviewer's relation to the repository: `OWNER`, `MEMBER`, `COLLABORATOR`, `CONTRIBUTOR`, `NONE`, … */
  author_association?: string;
}

// Anyone who can read a repository can leave an approving review; only these can also push to it.
const TRUSTED_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

/**
 * The standing approvals of a pull request from its reviews in GitHub's (chronological) order: each
 * reviewer's latest approval counts unless a later review requested changes or the approval was dismissed.
 * Approvals by reviewers who are not an owner, member or collaborator of the repository never count.
 */
export function latestApprovals(
  reviews: PullRequestReview[],
): Array<{ by: string; at: string }> {
  const approvals = new Map<string, { by: string; at: string }>();
  for (const review of reviews) {
    const login = review.user?.login;
    if (!login) {
      continue;
    }
    const reviewer = login.toLowerCase();
    if (review.state === 'APPROVED') {
      if (!TRUSTED_ASSOCIATIONS.has(review.author_association ?? '')) continue;
      // Re-adding moves a renewed approval after the others, so the list stays in approval order.
      approvals.delete(reviewer);
      approvals.set(reviewer, { by: login, at: review.submitted_at ?? '' });
    } else if (
      review.state === 'CHANGES_REQUESTED' ||
      review.state === 'DISMISSED'
    ) {
      approvals.delete(reviewer);
    }
    // COMMENTED and PENDING leave an earlier approval standing, as they do on GitHub.
  }
  return [...approvals.values()];
}
