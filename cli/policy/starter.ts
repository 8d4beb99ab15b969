/**
 * What `init` writes: a small policy that validates as it is, with a comment on every choice a
 * newcomer has to make. Kept in step with examples/policy.yaml's vocabulary; a test validates it.
 */
export const STARTER_POLICY = `# image-replicator policy: which custom images are copied where, and who hears about it.
# Check it with: image-replicator validate --config THIS_FILE   (every option: examples/policy.yaml)
version: 1

# Alibaba runs at most five image copies per source region at once; this may only lower that.
maxConcurrentCopiesPerRegion: 5

policies:
  - name: golden                      # lower-case letters, digits and dashes; part of every job id
    # provider: alibaba               # or huawei (then also: huawei: { agencyName: ... } and huaweiProjects)
    source:
      region: cn-hangzhou             # where the golden images are made
      select:                         # every criterion given must match
        tags: { role: golden }
        # namePattern: "^golden-"     # RE2 syntax
        # imageIds: [m-xxxxxxxx]
    destinations:
      - region: cn-shanghai
      - region: ap-southeast-1
        # The copy's name; {sourceName:N} cuts the source name to N characters so it always fits.
        name: "{sourceName:125}-sg"
      # - region: eu-central-1
      #   encryption: { enabled: true, kmsKeyId: "key-..." }
    copyTimeout: 6h                   # a copy still running after this is cancelled and reported timed out
    maxAttempts: 3                    # copies that fail are cleaned up and tried again, this many times in all
    webhooks: []
    # webhooks:
    #   - name: ops
    #     url: https://hooks.example.com/image-replicator
    #     secretEnv: OPS_WEBHOOK_SECRET   # the signing secret comes from this variable, never from this file
`;
