/** One pull request review, as `GET /repos/{owner}/{repo}/pulls/{number}/reviews` lists it. */
export interface PullRequestReview {
  user: { login: string } | null;
  state: string;
  submitted_at?: string | null;
}

/**
 * The standing approvals of a pull request from its reviews in GitHub's (chronological) order: each
 * reviewer's latest approval counts unless a later review requested changes or the approval was dismissed.
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
